"""What the benchmark scripts share: timing a notebook cell until its view is drawn, and the report they print."""

from __future__ import annotations

import json
import pathlib
import time
from typing import Any

from tests.browser.harness import NOTEBOOK, NotebookPage, interrupt_kernel


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
