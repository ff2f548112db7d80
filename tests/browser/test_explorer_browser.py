"""TabularExplorer in a real JupyterLab: one click drives every view, the class follows everywhere, names stay text."""

from __future__ import annotations

import itertools

from .harness import NotebookPage, click_a_beeswarm_point, write_notebook

SETUP = """
import json
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
import interpretwidgets as iw

data = load_breast_cancer(as_frame=True)
X, y = data.data.iloc[:150], data.target.iloc[:150]
model = RandomForestClassifier(n_estimators=25, max_depth=6, random_state=0).fit(data.data, data.target)
top = int(np.abs(iw.explain_tabular(model, X).values[..., 1]).mean(0).argmax())
names = list(X.columns)
names[top] = '<img src=x onerror=window.__pwned=1>'
explorer = iw.TabularExplorer(model, X, y, feature_names=names,
                              class_names=['<script>window.__pwned=2</script>', 'benign'])
explorer
"""

READ = """
print(json.dumps({"instance": explorer.instance, "output": explorer.output, "lime_output": explorer.lime.output,
                  "dependence": explorer.dependence.instance, "status": explorer._status.value,
                  "stacked_output": explorer.stacked.output, "stacked_ordering": explorer.stacked.ordering,
                  "similarity": None if explorer.stacked.similarity_order is None
                  else explorer.stacked.similarity_order[:5].tolist()}))
"""

VIEWS = (".iw-beeswarm", ".iw-stacked", ".iw-force", ".iw-waterfall")


def wait_all(page, attribute: str, value) -> None:
    page.wait_for_function(
        "([views, attribute, value]) => views.every(s => document.querySelector(s)?.dataset[attribute] === value)",
        arg=[list(VIEWS), attribute, str(value)],
    )


def test_explorer_links_every_view(jupyter, page):
    name = write_notebook(jupyter.root, "explorer.ipynb", [SETUP, READ])
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0)
    for selector in (".iw-beeswarm canvas", ".iw-stacked canvas", ".iw-force .iw-force-segment", ".bqplot"):
        page.wait_for_selector(selector)
    assert page.locator(".iw-waterfall").count() == 2  # the method's own and LIME's

    hovered = click_a_beeswarm_point(page)
    wait_all(page, "instance", hovered)
    nb.run_cell(1)
    state = nb.output_json(1)
    assert state["instance"] == state["dependence"] == hovered
    assert f"instance {hovered}" in state["status"] and "LIME" in state["status"]
    lime_labels = page.locator(".iw-waterfall").nth(1).locator(".iw-waterfall-label").all_text_contents()
    assert any("<=" in t or " < " in t or " > " in t for t in lime_labels), lime_labels  # LIME's own conditions

    # change the class in the force plot: every view follows, in the browser and in Python
    page.locator(".iw-force .iw-output-select").select_option("0")
    wait_all(page, "output", 0)
    page.wait_for_function("() => document.querySelectorAll('.iw-waterfall')[1]?.dataset.output === '0'")
    nb.run_cell(1)
    assert nb.output_json(1)["output"] == 0 and nb.output_json(1)["lime_output"] == 0

    # order the stacked force plot by similarity: Python clusters on request, the view reorders
    page.locator(".iw-stacked .iw-ordering-select").select_option("similarity")
    page.wait_for_function(
        "() => { const r = document.querySelector('.iw-stacked');"
        " return r.dataset.ordering === 'similarity' && !r.dataset.order.startsWith('0,1,2,3,4'); }"
    )
    nb.run_cell(1)
    similarity = nb.output_json(1)["similarity"]
    assert nb.output_json(1)["stacked_ordering"] == "similarity" and nb.output_json(1)["stacked_output"] == 0
    page.wait_for_function(
        "prefix => document.querySelector('.iw-stacked').dataset.order.startsWith(prefix)",
        arg=",".join(map(str, similarity)) + ",",
    )

    # a click in the stacked plot selects that column's instance everywhere
    stacked = page.locator(".iw-stacked")
    stacked.locator("canvas").scroll_into_view_if_needed()
    canvas = stacked.locator("canvas").bounding_box()
    x, y = canvas["x"] + canvas["width"] * 0.8, canvas["y"] + 100
    page.mouse.move(x - 3, y)
    page.mouse.move(x, y)
    stacked.locator(".iw-tooltip").wait_for(state="visible")
    column = stacked.locator(".iw-tooltip").inner_text()
    picked = int(column.split("instance")[1].split()[0])  # one instance per column at this size
    page.mouse.click(x, y)
    wait_all(page, "instance", picked)
    nb.run_cell(1)
    assert nb.output_json(1)["instance"] == picked

    # a click on a dot of the bqplot dependence plot selects that instance in Python and in every view
    dot = page.locator(".bqplot .dot").nth(17)
    dot.scroll_into_view_if_needed()
    dot.click(force=True)
    wait_all(page, "instance", 17)
    nb.run_cell(1)
    assert nb.output_json(1)["instance"] == nb.output_json(1)["dependence"] == 17

    assert page.locator(".iw-root img, .iw-root script").count() == 0
    assert page.locator("img[src='x']").count() == 0  # the bqplot dependence plot and the status line too
    assert page.evaluate("window.__pwned") is None and not dialogs
    assert "<script>window.__pwned=2</script>" in page.locator(".iw-force .iw-caption").inner_text()
    nb.screenshot("tabular-explorer")


def test_stacked_force_orders_by_output_in_the_browser(jupyter, page):
    stacked = "stacked = iw.StackedForce(iw.explain_tabular(model, X), output=1, ordering='output')\nstacked\n"
    setup = SETUP.split("top = int(")[0] + stacked
    cells = [setup, "print(json.dumps(stacked.attribution.output_values[:, 1].tolist()))"]
    name = write_notebook(jupyter.root, "stacked-output.ipynb", cells)
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0)
    page.wait_for_selector(".iw-stacked canvas")
    nb.run_cell(1)
    outputs = nb.output_json(1)
    order = [int(i) for i in page.locator(".iw-stacked").get_attribute("data-order").split(",")]
    assert sorted(order) == list(range(150))
    shown = [outputs[i] for i in order]
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(shown))  # non-decreasing f(x); ties any order
    assert int(page.locator(".iw-stacked").get_attribute("data-columns")) == 150
    nb.screenshot("stacked-force-by-output")
