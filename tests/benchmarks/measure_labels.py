"""Force-plot labels as drawn in a real JupyterLab, beside another commit: labelled segments per plot, labels cut to
stubs, overlapping labels, at 400, 800 and 1,400 px.

Not a timing: what a reader can read. Run ``python -m tests.benchmarks.measure_labels`` (``--baseline-ref none``
measures this checkout alone).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
from typing import Any

from tests.benchmarks._common import ROOT, check_sources, side_by_side, write_report
from tests.browser.harness import NotebookPage, write_notebook

BASELINE_REF = "be473fe"  # main before the labels were reworked (issue 7)
WIDTHS = (400, 800, 1400)

SETUP = """
import sys
{path_line}
import ipywidgets, interpretwidgets as iw
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
data = load_breast_cancer(as_frame=True)
model = RandomForestClassifier(n_estimators=25, max_depth=6, random_state=0).fit(data.data, data.target)
a = iw.explain_tabular(model, data.data.iloc[:{instances}])
print(iw.__file__)
"""

# Labels, stubs (a shortened name of fewer than 10 characters says nothing) and overlapping pairs in one cell.
READ = """(cell) => {
  const labels = [...cell.querySelectorAll('.iw-force-label')];
  const text = (e) => [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('');
  const boxes = labels.map((e) => e.getBoundingClientRect());
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, b] = [boxes[i], boxes[j]];
    const apart = a.left >= b.right - 0.5 || b.left >= a.right - 0.5
      || a.top >= b.bottom - 0.5 || b.top >= a.bottom - 0.5;
    if (!apart) overlaps++;
  }
  const stubs = labels.filter((e) => {
    const name = text(e).split(' = ')[0];
    return name.includes('…') && name.replace('…', '').length < 10;
  }).length;
  return {labels: labels.length, stubs, overlaps, segments: cell.querySelectorAll('.iw-force-segment').length};
}"""


def run_version(browser: Any, server: Any, version: str, path: pathlib.Path | None, instances: int) -> dict[str, Any]:
    path_line = "" if path is None else f"sys.path.insert(0, {str(path)!r})"
    cells = [SETUP.format(path_line=path_line, instances=instances)] + [
        f'ipywidgets.Box([iw.ForcePlot(a, instance=0, output=1)], layout={{"width": "{w}px"}})' for w in WIDTHS
    ]
    page = browser.new_context(viewport={"width": 1800, "height": 1400}).new_page()
    page.set_default_timeout(120_000)
    try:
        nb = NotebookPage(page, server, write_notebook(server.root, f"labels-{version}.ipynb", cells))
        for index in range(len(cells)):
            nb.run_cell(index)
        result: dict[str, Any] = {"version": version, "source": nb.output_text(0).strip(), "widths": {}}
        for k, width in enumerate(WIDTHS, start=1):
            cell = nb.cell(k)
            rows = []
            for instance in range(instances):
                page.wait_for_function(
                    "([cell, i]) => document.querySelectorAll('.jp-Notebook .jp-Cell')[cell]"
                    ".querySelector('.iw-force')?.dataset.instance === String(i)",
                    arg=[k, instance],
                )
                rows.append(cell.evaluate(READ))
                if instance < instances - 1:
                    cell.locator(".iw-next").click()
            result["widths"][width] = rows
        return result
    finally:
        page.context.close()


def table(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ours = next(r for r in results if r["version"] == "ours")
    main = next((r for r in results if r["version"] == "main"), None)
    measures = {
        "labelled segments per plot (median)": lambda rows: statistics.median(r["labels"] for r in rows),
        "labels cut to a stub (all plots)": lambda rows: sum(r["stubs"] for r in rows),
        "overlapping label pairs (all plots)": lambda rows: sum(r["overlaps"] for r in rows),
    }
    out = []
    for width in WIDTHS:
        for work, measure in measures.items():
            value = measure(ours["widths"][width])
            anchor = None if main is None else measure(main["widths"][width])
            ratio = value / anchor if anchor else None
            out.append({"size": f"{width} px", "work": work, "ours": value, "anchor": anchor, "ratio": ratio,
                        "note": ""})  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=40)
    parser.add_argument("--baseline-ref", default=BASELINE_REF, help="'none' measures this checkout alone")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "benchmarks" / "results" / "labels.json")
    args = parser.parse_args(argv)
    with side_by_side(args.baseline_ref) as (browser, server, versions):
        results = [run_version(browser, server, version, path, args.instances) for version, path in versions]
    check_sources(results)
    rows = table(results)
    write_report(args.out, results, rows, "main")
    return rows


if __name__ == "__main__":
    main()
