"""Beeswarm and StackedForce at scale in Chromium, side by side with shap's own plots on the same arrays.

    .venv/bin/python -m tests.benchmarks.bench_tabular_views --rows 10000 100000 --features 30

For each size, in one JupyterLab + Chromium session: time to first paint (from Shift+Enter to the plot drawn,
kernel work included), hover latency (a pointer move dispatched → handlers done and layout flushed, i.e. the
work before the next frame can paint), and bytes sent, for
interpretwidgets' Beeswarm / StackedForce and for shap's stacked force plot (its bundled React JS,
``shap.plots.force`` on the same arrays) and shap's matplotlib beeswarm (rendered to PNG). Prints a table
(work, ours, anchor, ratio) and writes it as JSON. Not a test: no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys
import tempfile
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks._common import timed_cell, write_report  # noqa: E402
from tests.browser.harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    NOTEBOOK,
    NotebookPage,
    start_server,
    stop_server,
    write_notebook,
)

SETUP = """
import io, json, time
import numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import shap
from ipywidgets.widgets.widget import _remove_buffers
import interpretwidgets as iw

n, f = {rows}, {features}
rng = np.random.default_rng(0)
data = rng.normal(size=(n, f))
values = data * rng.uniform(0.01, 0.2, size=f)  # contributions that follow their feature's value
names = [f"feature {{j}}" for j in range(f)]
attribution = iw.Attribution(values[..., None], [0.3], data=data, feature_names=names, method="synthetic")

def sent_bytes(widget, seen=None):
    # what the widget and every widget it references (its data, once) put on the wire
    seen = set() if seen is None else seen
    if widget.model_id in seen:
        return 0
    seen.add(widget.model_id)
    state, _, buffers = _remove_buffers(widget.get_state())
    total = len(json.dumps(state)) + sum(memoryview(b).nbytes for b in buffers)
    for name in widget.keys:
        value = getattr(widget, name)
        for ref in value if isinstance(value, (list, tuple)) else [value]:
            if hasattr(ref, "model_id") and hasattr(ref, "get_state"):
                total += sent_bytes(ref, seen)
    return total

shap.initjs()
"""

CELLS = {
    "beeswarm": "swarm = iw.Beeswarm(attribution)\nswarm",
    "stacked": "stacked = iw.StackedForce(attribution)\nstacked",
    "shap_beeswarm": (
        "start = time.perf_counter()\n"
        "shap.plots.beeswarm(shap.Explanation(values, np.full(n, 0.3), data=data, feature_names=names),"
        " max_display=12, show=False)\n"
        "buffer = io.BytesIO()\nplt.savefig(buffer, format='png', dpi=100)\nplt.close('all')\n"
        "print(json.dumps({'seconds': time.perf_counter() - start, 'bytes': buffer.tell()}))"
    ),
    # each view on its own: the data widget the two share is counted in both
    "sizes": "print(json.dumps({'beeswarm': sent_bytes(swarm), 'stacked': sent_bytes(stacked)}))",
    # last: shap's Python side may run past the time limit in C code, and then the kernel is restarted
    "shap_force": (
        "shap_force = shap.plots.force(0.3, values, data, feature_names=names)\n"
        "print(json.dumps({'bytes': len(shap_force.html())}))\nshap_force"
    ),
}

DRAWN = {
    "beeswarm": "cell => cell.querySelector('.iw-beeswarm[data-points]') !== null",
    "stacked": "cell => cell.querySelector('.iw-stacked[data-columns]') !== null",
    "shap_force": "cell => cell.querySelectorAll('.jp-OutputArea-output svg path').length > 5",
}

MARK_SHAP_SVG = "s => { document.querySelectorAll(s)[5].querySelector('.jp-OutputArea-output svg').id = 'shap-force' }"

HOVER = """
async ([selector, count]) => {
  const target = document.querySelector(selector);
  const box = target.getBoundingClientRect();
  const times = [];
  for (let k = 0; k < count; k++) {
    const x = box.left + box.width * (0.1 + 0.8 * k / count);
    const y = box.top + box.height * (0.15 + 0.3 * (k % 3));
    const start = performance.now();
    for (const type of ['pointermove', 'mousemove']) {
      const Event = type === 'pointermove' ? PointerEvent : MouseEvent;
      target.dispatchEvent(new Event(type, { clientX: x, clientY: y, bubbles: true }));
    }
    void document.body.offsetHeight;  // the style and layout work the next frame would need
    times.push(performance.now() - start);
    await new Promise(requestAnimationFrame);
  }
  return times;
}
"""


def hover_ms(page: Any, selector: str, count: int = 40) -> dict[str, float]:
    times = page.evaluate(HOVER, [selector, count])
    return {"median": statistics.median(times), "p95": sorted(times)[int(0.95 * (len(times) - 1))]}


def run_size(browser: Any, server: Any, rows: int, features: int, shap_force_limit: int, timeout_s: float) -> dict:
    cells = [SETUP.format(rows=rows, features=features), *CELLS.values()]
    name = write_notebook(server.root, f"bench-{rows}x{features}.ipynb", cells)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    try:
        nb = NotebookPage(page, server, name)
        nb.run_cell(0, timeout=timeout_s * 1000)
        result: dict[str, Any] = {"rows": rows, "features": features}
        result["beeswarm_paint_s"] = timed_cell(nb, 1, DRAWN["beeswarm"], timeout_s)
        result["beeswarm_hover_ms"] = hover_ms(page, ".iw-beeswarm canvas")
        result["stacked_paint_s"] = timed_cell(nb, 2, DRAWN["stacked"], timeout_s)
        result["stacked_hover_ms"] = hover_ms(page, ".iw-stacked canvas")
        nb.run_cell(3, timeout=timeout_s * 1000)
        result["shap_beeswarm"] = nb.output_json(3)
        nb.run_cell(4, timeout=timeout_s * 1000)
        result["bytes"] = nb.output_json(4)
        if rows <= shap_force_limit:
            result["shap_force_paint_s"] = timed_cell(nb, 5, DRAWN["shap_force"], timeout_s, restart=True)
            if result["shap_force_paint_s"] is None:
                result["shap_force_skipped"] = f"did not draw within {timeout_s:.0f} s"
                result["shap_force_hover_ms"] = None
            else:
                printed = nb.cell(5).locator(".jp-OutputArea-output").first.inner_text()
                result["bytes"]["shap_force"] = json.loads(printed.strip().splitlines()[0])["bytes"]
                page.evaluate(MARK_SHAP_SVG, f"{NOTEBOOK} .jp-Cell")
                result["shap_force_hover_ms"] = hover_ms(page, "#shap-force")
        else:
            # shap orders the rows by complete-linkage clustering of a full pairwise-distance matrix
            result["shap_force_paint_s"] = None
            result["shap_force_skipped"] = (
                f"not run above --shap-force-limit: its clustering needs a {rows * (rows - 1) / 2 * 8 / 1e9:.1f} GB "
                "distance matrix and super-quadratic time"
            )
        return result
    finally:
        context.close()


def table(results: list[dict]) -> list[dict]:
    """Rows of (work, ours, anchor, ratio = ours / anchor)."""
    rows = []
    for r in results:
        size = f"{r['rows']:,}×{r['features']}"
        force_hover = (r.get("shap_force_hover_ms") or {}).get("median")
        entries = [
            ("Beeswarm first paint (s) vs shap.plots.beeswarm to PNG", r["beeswarm_paint_s"],
             r["shap_beeswarm"]["seconds"]),
            ("Beeswarm bytes sent vs shap beeswarm PNG", r["bytes"]["beeswarm"], r["shap_beeswarm"]["bytes"]),
            ("Beeswarm hover, median ms (no shap equivalent)", r["beeswarm_hover_ms"]["median"], None),
            ("StackedForce first paint (s) vs shap.plots.force", r["stacked_paint_s"], r.get("shap_force_paint_s")),
            ("StackedForce bytes sent vs shap.plots.force HTML", r["bytes"]["stacked"], r["bytes"].get("shap_force")),
            ("StackedForce hover, median ms vs shap.plots.force", r["stacked_hover_ms"]["median"], force_hover),
        ]  # fmt: skip
        for work, ours, anchor in entries:
            ratio = ours / anchor if ours is not None and anchor else None
            note = r.get("shap_force_skipped") if "shap.plots.force" in work and anchor is None else None
            rows.append({"size": size, "work": work, "ours": ours, "anchor": anchor, "ratio": ratio, "note": note})
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--features", type=int, default=30)
    parser.add_argument("--shap-force-limit", type=int, default=20_000, help="largest size given to shap.plots.force")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per cell")
    parser.add_argument(
        "--out", type=pathlib.Path, default=ROOT / "tests" / "benchmarks" / "results" / "tabular_views.json"
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = start_server(pathlib.Path(tmp))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            results = [
                run_size(browser, server, n, args.features, args.shap_force_limit, args.timeout) for n in args.rows
            ]
        finally:
            browser.close()
            stop_server(server)
    rows = table(results)
    write_report(args.out, results, rows, "anchor")
    return rows


if __name__ == "__main__":
    main()
