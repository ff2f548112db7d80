"""TabularExplorer and a standalone Beeswarm at scale: this checkout side by side with main before the linked-views
rebuild (another commit, checked out in a git worktree and built there), in one JupyterLab + Chromium session.

    .venv/bin/python -m tests.benchmarks.bench_explorer --rows 10000 100000 --features 30

For each size and each version, in its own kernel: bytes the kernel sends to show the explorer (read off the
websocket) against one float32 copy of the arrays it shows; first paint (Shift+Enter on the cell that displays an
explorer built in the cell before → every view drawn); a click on a beeswarm point → every view drawn with the new
instance (the dependence plot included, LIME's panel excluded: it computes) and until the browser has painted the
next frame (the whole page's style, layout, paint and compositing), and the state updates that click sends; the
first paint of a Beeswarm of one output with data of its own. Prints a table (work, ours, main, ratio = ours / main)
and writes it as JSON. Not a test: no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks._common import check_sources, side_by_side, timed_cell, write_report  # noqa: E402
from tests.browser.harness import (  # noqa: E402
    KernelWire,
    NotebookPage,
    write_notebook,
)

#: main before the linked-views rebuild (issue 6): the anchor the rebuild is measured against
BASELINE_REF = "22f0c23"

SETUP = """
import json, sys, time
{path_line}
import numpy as np
from sklearn.ensemble import RandomForestClassifier
import interpretwidgets as iw

n, f = {rows}, {features}
rng = np.random.default_rng(0)
X = rng.normal(size=(n, f))
logit = X[:, :3] @ np.array([1.5, -1.0, 0.5]) + 0.5 * X[:, 3] * X[:, 4]
y = (logit + rng.logistic(size=n) > 0).astype(int)
# one core for the model: the other is the browser's
model = RandomForestClassifier(n_estimators=20, max_depth=6, random_state=0).fit(X, y)
names = [f"feature {{j}}" for j in range(f)]
print(json.dumps({{"source": iw.__file__}}))
"""

CELLS = {
    "construct": (
        "start = time.perf_counter()\n"
        "explorer = iw.TabularExplorer(model, X, y, feature_names=names, class_names=['negative', 'positive'])\n"
        "a = explorer.attribution\n"
        "print(json.dumps({'seconds': time.perf_counter() - start,"
        " 'one_copy': int(a.values.size + a.data.size + a.base_values.size + len(y)) * 4}))"
    ),
    "display": "explorer",
    # a Beeswarm with data of its own (a new Attribution of the positive class: one output, as the 3.4 s anchor had)
    "swarm": (
        "positive = iw.Attribution(a.values[..., 1:], a.base_values[:, 1:], data=a.data, feature_names=names)\n"
        "swarm = iw.Beeswarm(positive)\nswarm"
    ),
}

#: every view of the explorer drawn (LIME's waterfall excluded: it computes). A linked dependence plot marks its
#: caption; before the linked-views rebuild it was bqplot alone, drawn when its dots are.
DRAWN = """
(cell, [n, version]) => {
  const out = cell?.querySelector('.jp-OutputArea');
  if (!out) return false;
  const ready = (s, key) => { const r = out.querySelector(s); return r !== null && r.dataset[key] !== undefined; };
  const views = ready('.iw-beeswarm', 'points') && ready('.iw-stacked', 'columns') && ready('.iw-force', 'segments')
    && ready('.iw-waterfall', 'rows');
  const dots = out.querySelectorAll('.bqplot .dot').length;
  // ours: a sample of at most 5,000 dots, and a one-dot mark for the selected instance when it is in the sample
  // a linked dependence plot (this checkout, or a baseline after the linked-views rebuild) has a caption view
  const linked = out.querySelector('.iw-dependence') !== null;
  const dependence = linked ? dots >= Math.min(n, 5000) && ready('.iw-dependence', 'instance')
    : dots === n;
  return views && dependence;
}
"""

SWARM_DRAWN = "cell => cell?.querySelector('.iw-beeswarm[data-points]') !== null"

#: hover along the first beeswarm row until a point is under the pointer; then click it and time until every view
#: shows its instance (views set data-instance when they draw; main's bqplot marks the selected dot with its style)
CLICK = """
async ([version]) => {
  const out = document.querySelectorAll('.jp-Cell')[2].querySelector('.jp-OutputArea');
  const swarm = out.querySelector('.iw-beeswarm');  // the explorer's, not the standalone one below
  const canvas = swarm.querySelector('canvas');
  const tip = swarm.querySelector('.iw-tooltip');
  canvas.scrollIntoView({block: 'center'});
  const box = canvas.getBoundingClientRect();
  const left = Number(swarm.dataset.plotLeft), right = Number(swarm.dataset.plotRight);
  const y = box.top + Number(swarm.dataset.firstRowY);
  let x = null, instance = null;
  for (let step = 1; step < 200 && x === null; step++) {
    // whole pixels: a synthetic MouseEvent truncates clientX, a PointerEvent does not
    const px = Math.round(box.left + left + (right - left) * step / 200);
    canvas.dispatchEvent(new PointerEvent('pointermove', {clientX: px, clientY: y, bubbles: true}));
    if (!tip.hidden && /instance/.test(tip.textContent)) {
      const found = Number(tip.textContent.match(/instance\\s*(\\d+)/)[1]);
      if (found !== Number(swarm.dataset.instance)) { x = px; instance = found; }
    }
  }
  const roots = ['.iw-beeswarm', '.iw-stacked', '.iw-force', '.iw-waterfall'].map(s => out.querySelector(s));
  const dependence = () => out.querySelector('.iw-dependence') !== null
    ? out.querySelector('.iw-dependence')?.dataset.instance === String(instance)
      || /not among them/.test(out.querySelector('.iw-dependence')?.textContent ?? '')
    : getComputedStyle(out.querySelectorAll('.bqplot .dot')[instance]).strokeWidth === '2px';
  const done = () => roots.every(r => r.dataset.instance === String(instance)) && dependence();
  const tick = () => new Promise(resolve => { const c = new MessageChannel(); c.port1.onmessage = resolve;
    c.port2.postMessage(0); });
  const start = performance.now();
  canvas.dispatchEvent(new MouseEvent('click', {clientX: x, clientY: y, bubbles: true}));
  // views that follow in the browser draw in the microtasks after the click; others wait for the kernel
  for (let k = 0; k < 100 && !done(); k++) await Promise.resolve();
  while (!done()) {
    if (performance.now() - start > 60000) return {instance, ms: null, frame_ms: null};
    await tick();
  }
  const drawn = performance.now() - start;
  await new Promise(requestAnimationFrame);
  await tick();  // after the frame that shows it: style, layout, paint and compositing of the whole page
  return {instance, ms: drawn, frame_ms: performance.now() - start};
}
"""


def run_version(browser: Any, server: Any, version: str, path: pathlib.Path | None, rows: int, features: int,
                timeout_s: float) -> dict[str, Any]:  # fmt: skip
    path_line = "" if path is None else f"sys.path.insert(0, {str(path)!r})"
    setup = SETUP.format(rows=rows, features=features, path_line=path_line)
    name = write_notebook(server.root, f"bench-explorer-{version}-{rows}.ipynb", [setup, *CELLS.values()])
    context = browser.new_context(viewport={"width": 1280, "height": 3200})
    page = context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    wire = KernelWire(page)
    result: dict[str, Any] = {"version": version, "rows": rows, "features": features}
    try:
        nb = NotebookPage(page, server, name)
        nb.run_cell(0, timeout=timeout_s * 1000)
        result["source"] = nb.output_json(0)["source"]
        mark = wire.mark()  # a widget's state travels when it is built, before it is displayed
        nb.run_cell(1, timeout=timeout_s * 1000)
        built = nb.output_json(1)
        result["construct_s"], result["one_copy_bytes"] = built["seconds"], built["one_copy"]
        result["first_paint_s"] = timed_cell(nb, 2, DRAWN, timeout_s, arg=[rows, version], restart=True)
        if result["first_paint_s"] is None:
            result["skipped"] = f"the explorer did not draw within {timeout_s:.0f} s"
            return result
        # what follows the first paint (ours computes LIME of the first instance on request): until no view waits
        page.wait_for_function("() => !document.querySelector('.iw-waiting')", timeout=timeout_s * 1000)
        page.wait_for_timeout(500)
        result["display_bytes"] = KernelWire.received_bytes(wire.since(mark))
        # with the kernel idle: each click below starts LIME of its instance, which would hold the kernel
        result["swarm_paint_s"] = timed_cell(nb, 3, SWARM_DRAWN, timeout_s, restart=True)
        clicks = []
        for _ in range(5):
            mark = wire.mark()
            clicked = page.evaluate(CLICK, [version])
            page.wait_for_timeout(800)
            clicks.append({**clicked, "updates": len(KernelWire.widget_updates(wire.since(mark)))})
        result["clicks"] = clicks
        for key in ("ms", "frame_ms"):
            times = sorted(c[key] for c in clicks if c[key] is not None)
            result[f"click_{key}"] = times[len(times) // 2] if times else None
        result["click_updates"] = max(c["updates"] for c in clicks)
        return result
    finally:
        context.close()


def table(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of (size, work, ours, anchor = main, ratio = ours / main)."""
    rows = []
    sizes = sorted({r["rows"] for r in results})
    for n in sizes:
        ours = next(r for r in results if r["rows"] == n and r["version"] == "ours")
        main = next((r for r in results if r["rows"] == n and r["version"] == "main"), {"skipped": "not measured"})
        size = f"{n:,}×{ours['features']}"
        entries = [
            ("explorer bytes on the wire", "display_bytes"),
            ("explorer bytes / one float32 copy of its arrays", "bytes_per_copy"),
            ("explorer first paint (s)", "first_paint_s"),
            ("click → every view drawn, median of 5 (ms)", "click_ms"),
            ("click → the next frame painted, median of 5 (ms)", "click_frame_ms"),
            ("state updates sent per click", "click_updates"),
            ("Beeswarm first paint (s)", "swarm_paint_s"),
            ("explorer construction in the kernel (s)", "construct_s"),
        ]
        for r in (ours, main):
            if r.get("display_bytes") is not None and r.get("one_copy_bytes"):
                r["bytes_per_copy"] = r["display_bytes"] / r["one_copy_bytes"]
        for work, key in entries:
            a, b = ours.get(key), main.get(key)
            ratio = a / b if a is not None and b else None
            note = main.get("skipped") if b is None else None
            rows.append({"size": size, "work": work, "ours": a, "anchor": b, "ratio": ratio, "note": note})
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--features", type=int, default=30)
    parser.add_argument(
        "--baseline-ref", default=BASELINE_REF, help="the commit to compare with; 'none' measures this checkout alone"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per cell")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "benchmarks" / "results" / "explorer.json")
    args = parser.parse_args(argv)
    with side_by_side(args.baseline_ref) as (browser, server, versions):
        results = [
            run_version(browser, server, version, path, n, args.features, args.timeout)
            for n in args.rows
            for version, path in versions
        ]
    check_sources(results)
    rows = table(results)
    write_report(args.out, results, rows, "main")
    return rows


if __name__ == "__main__":
    main()
