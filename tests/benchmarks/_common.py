"""What the benchmark scripts share: a session with this checkout beside another commit, timing a notebook cell
until its view is drawn, and the report they print."""

from __future__ import annotations

import contextlib
import json
import pathlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NOTEBOOK,
    NotebookPage,
    interrupt_kernel,
    start_server,
    stop_server,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def prepare_baseline(ref: str, where: pathlib.Path) -> pathlib.Path:
    """Check out ``ref`` in a git worktree under ``where`` and build its views with this checkout's node_modules."""
    tree = where / "baseline"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), ref], cwd=ROOT, check=True, capture_output=True)
    (tree / "js" / "node_modules").symlink_to(ROOT / "js" / "node_modules", target_is_directory=True)
    subprocess.run(["node", "build.mjs"], cwd=tree / "js", check=True, capture_output=True)
    return tree


def remove_baseline(tree: pathlib.Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
    shutil.rmtree(tree, ignore_errors=True)


@contextlib.contextmanager
def side_by_side(baseline_ref: str) -> Iterator[tuple[Any, Any, list[tuple[str, pathlib.Path | None]]]]:
    """One JupyterLab server and one Chromium, and the versions to measure in them: ``("ours", None)`` and, unless
    ``baseline_ref`` is ``"none"``, ``("main", <worktree of baseline_ref, built>)``; all removed afterwards. A
    version's kernel imports interpretwidgets from its path (``sys.path.insert(0, path)``)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        baseline = None if baseline_ref == "none" else prepare_baseline(baseline_ref, pathlib.Path(tmp))
        notebooks = pathlib.Path(tmp) / "notebooks"
        notebooks.mkdir()
        server = start_server(notebooks)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser, server, [("ours", None)] + ([] if baseline is None else [("main", baseline)])
        finally:
            browser.close()
            stop_server(server)
            if baseline is not None:
                remove_baseline(baseline)


def check_sources(results: list[dict[str, Any]]) -> None:
    """Raise unless each version's kernel imported interpretwidgets from where it should (``source``)."""
    for r in results:
        expected = "baseline" if r["version"] == "main" else str(ROOT)
        if expected not in r.get("source", ""):
            raise RuntimeError(f"the {r['version']} kernel imported interpretwidgets from {r.get('source')}")


def timed_cell(
    nb: NotebookPage, index: int, drawn: str, timeout_s: float, *, arg: Any = None, restart: bool = False
) -> float | None:
    """Seconds from Shift+Enter on cell ``index`` until ``drawn`` holds: a JavaScript function of the cell element
    and ``arg``. None on timeout, after which the kernel is interrupted (or restarted: a library stuck in C code
    ignores an interrupt) so that the next measurement does not wait behind it."""
    page = nb.page
    nb.cell(index).locator(".jp-InputArea-editor").click()
    start = time.perf_counter()
    page.keyboard.press("Shift+Enter")
    try:
        page.wait_for_function(
            f"([selector, index, arg]) => ({drawn})(document.querySelectorAll(selector)[index], arg)",
            arg=[f"{NOTEBOOK} .jp-Cell", index, arg],
            timeout=timeout_s * 1000,
            polling=5,
        )
    except Exception:
        interrupt_kernel(nb.server, nb.notebook, "restart" if restart else "interrupt")
        return None
    return time.perf_counter() - start


def print_table(rows: list[dict[str, Any]], anchor: str) -> None:
    """Rows of (size, work, ours, anchor, ratio = ours / anchor, note) as an aligned table."""

    def fmt(x: Any) -> str:
        return "—" if x is None else f"{x:,.0f}" if isinstance(x, int) or abs(x) >= 1000 else f"{x:.3g}"

    width = max(len(row["work"]) for row in rows)
    print(f"{'size':>11}  {'work':<{width}} {'ours':>12} {anchor:>12} {'ratio':>8}")
    for row in rows:
        numbers = f"{fmt(row['ours']):>12} {fmt(row['anchor']):>12} {fmt(row['ratio']):>8}"
        line = f"{row['size']:>11}  {row['work']:<{width}} {numbers}"
        print(line + (f"  ({row['note']})" if row["note"] else ""))


def write_report(out: pathlib.Path, results: list[dict[str, Any]], rows: list[dict[str, Any]], anchor: str) -> None:
    """Print the table and write results and table as JSON."""
    print_table(rows, anchor)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"results": results, "table": rows}, indent=1))
    print(f"wrote {out}")
