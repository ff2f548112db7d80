"""TabularExplorer in a real JupyterLab, read off the kernel's websocket: the arrays travel once, a click is one state
update, every view follows in the browser, heavy work is a request, names stay text."""

from __future__ import annotations

import itertools

from .harness import KernelWire, NotebookPage, click_a_beeswarm_point, write_notebook

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
explorer = iw.TabularExplorer(model, X, y, feature_names=names, output=1, feature=0,
                              class_names=['<script>window.__pwned=2</script>', 'benign'])
a = explorer.attribution
explorer
"""

READ = """
s = explorer.selection
print(json.dumps({"instance": s.instance, "output": s.output, "feature": s.feature, "method": s.method,
                  "mirrored": [v.instance for v in (explorer.beeswarm, explorer.force, explorer.dependence)],
                  "lime": list(explorer.lime.computed),
                  "similarity": explorer.data.similarity_order(s.output)[:8].tolist(),
                  "one_copy": int(a.values.size + a.data.size + a.base_values.size + a.convergence_delta.size
                                  + len(y)) * 4}))
"""

REPLACE = """
smaller = RandomForestClassifier(n_estimators=10, max_depth=3, random_state=1).fit(data.data, data.target)
other = iw.explain_tabular(smaller, X, feature_names=names, output_names=a.output_names)
explorer.data.attribution = other
"""

SHARED = "globalThis[Symbol.for('interpretwidgets.shared.v1')].stats"
VIEWS = (".iw-controlbar", ".iw-beeswarm", ".iw-stacked", ".iw-force", ".iw-waterfall")


def wait_all(page, attribute: str, value) -> None:
    page.wait_for_function(
        "([views, attribute, value]) => views.every(s => { const all = [...document.querySelectorAll(s)];"
        " return all.length > 0 && all.every(r => r.dataset[attribute] === value); })",
        arg=[list(VIEWS), attribute, str(value)],
    )


def selected_dot(page) -> int:
    """The instance the dependence plot highlights: its one-point mark sits on that instance's dot."""
    return page.evaluate(
        """() => { const dots = [...document.querySelectorAll('.bqplot .dot')];
        if (dots.length !== 151) return -1;
        const at = dots.pop().parentElement.getAttribute('transform');  // the highlight is drawn last
        const i = dots.findIndex(d => d.parentElement.getAttribute('transform') === at);
        return String(i) === document.querySelector('.iw-dependence').dataset.instance ? i : -2; }"""
    )


def one_selection_update(wire: KernelWire, mark: int, keys: set[str]) -> None:
    updates = KernelWire.widget_updates(wire.since(mark))
    assert len(updates) == 1, [u["content"]["data"]["state"] for u in updates]
    assert set(updates[0]["content"]["data"]["state"]) == keys


def test_explorer_is_one_data_model_and_one_selection_in_the_browser(jupyter, page):
    name = write_notebook(jupyter.root, "explorer.ipynb", [SETUP, READ, REPLACE])
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    wire = KernelWire(page)
    nb = NotebookPage(page, jupyter, name)
    shown = wire.mark()
    nb.run_cell(0)
    for selector in (".iw-beeswarm canvas", ".iw-stacked canvas", ".iw-force .iw-force-segment"):
        page.wait_for_selector(selector)
    page.wait_for_function("() => document.querySelectorAll('.bqplot .dot').length === 151")  # + the highlight
    wait_all(page, "instance", 0)

    # the arrays travel once: one widget carries them, and every view decodes that one data model once
    opened = [m for m in wire.since(shown) if m["direction"] == "received" and m.get("msg_type") == "comm_open"]
    carrying = [m for m in opened if "values" in m["content"].get("data", {}).get("state", {})]
    assert len(carrying) == 1 and carrying[0]["buffers"] == 4  # values, base values, feature values, gaps
    assert page.evaluate(f"{SHARED}.decodes") == 1
    assert page.locator(".iw-waterfall").count() == 2  # the selected method's and the comparison
    assert page.locator(".iw-beeswarm .iw-output-select:visible, .iw-force .iw-instance-input:visible").count() == 0

    # a click in the beeswarm: one state update (instance and feature together); every view follows in the browser
    mark = wire.mark()
    hovered = click_a_beeswarm_point(page)
    wait_all(page, "instance", hovered)
    one_selection_update(wire, mark, {"instance", "feature"})
    page.wait_for_function(
        "i => { const w = document.querySelectorAll('.iw-waterfall')[1]; return w.dataset.method === 'lime'"
        " && w.dataset.instance === String(i) && !w.classList.contains('iw-waiting'); }",
        arg=hovered,
    )  # LIME for that instance: a request, answered with binary buffers
    requests = [m["content"]["data"]["content"] for m in KernelWire.custom(wire.since(mark))]
    assert {"iw": "request", "kind": "attribution", "params": {"instance": hovered}}.items() <= requests[0].items()
    assert selected_dot(page) == hovered
    nb.run_cell(1)
    state = nb.output_json(1)
    one_copy = state["one_copy"]  # values, feature values, base values, gaps and true labels as float32
    assert 0.99 * one_copy <= sum(m["buffer_bytes"] for m in opened) <= 1.01 * one_copy
    assert state["instance"] == hovered and state["mirrored"] == [hovered] * 3
    assert state["lime"] == [0, hovered]  # LIME only for the instances shown: the first, then the clicked one
    lime_labels = page.locator(".iw-waterfall").nth(1).locator(".iw-waterfall-label").all_text_contents()
    assert any("<=" in t or " < " in t or " > " in t for t in lime_labels), lime_labels  # LIME's own conditions

    # the class, in the one control bar: one update, every view follows
    mark = wire.mark()
    page.locator(".iw-controlbar .iw-output-select").select_option("0")
    wait_all(page, "output", 0)
    one_selection_update(wire, mark, {"output"})

    # the method: the force plot and the left waterfall show LIME, the comparison shows TreeSHAP
    mark = wire.mark()
    page.locator(".iw-controlbar .iw-method-select").select_option("lime")
    page.wait_for_function(
        "() => document.querySelector('.iw-force').dataset.method === 'lime'"
        " && document.querySelectorAll('.iw-waterfall')[1].dataset.method === 'tree'"
    )
    one_selection_update(wire, mark, {"method"})
    assert not KernelWire.custom(wire.since(mark))  # LIME for this instance is known: shared, not asked again
    page.locator(".iw-controlbar .iw-method-select").select_option("tree")

    # the similarity order is a request; until its reply the plot says which order it has drawn
    honest = page.evaluate_handle(
        """() => { const seen = []; const root = document.querySelector('.iw-stacked');
        const look = () => { const label = root.querySelector('.iw-stacked-order-label')?.textContent ?? '';
          seen.push([root.dataset.drawnOrdering, label]); };
        const observer = new MutationObserver(look); observer.observe(root, {subtree: true, childList: true,
          characterData: true, attributes: true}); return {seen, observer}; }"""
    )
    page.locator(".iw-stacked .iw-ordering-select").select_option("similarity")
    page.wait_for_function("() => document.querySelector('.iw-stacked').dataset.drawnOrdering === 'similarity'")
    seen = page.evaluate("h => { h.observer.disconnect(); return h.seen; }", honest)
    assert all(("similarity" in label) == (drawn == "similarity") or "computing" in label for drawn, label in seen)
    assert any("computing" in label for _, label in seen)  # it said so while it waited
    nb.run_cell(1)
    similarity = nb.output_json(1)["similarity"]
    assert page.locator(".iw-stacked").get_attribute("data-order").startswith(",".join(map(str, similarity)) + ",")

    # a click in the stacked plot selects that column's instance everywhere
    stacked = page.locator(".iw-stacked")
    stacked.locator("canvas").scroll_into_view_if_needed()
    canvas = stacked.locator("canvas").bounding_box()
    x, y = canvas["x"] + canvas["width"] * 0.8, canvas["y"] + 100
    page.mouse.move(x - 3, y)
    page.mouse.move(x, y)
    stacked.locator(".iw-tooltip").wait_for(state="visible")
    picked = int(stacked.locator(".iw-tooltip").inner_text().split("instance")[1].split()[0])
    mark = wire.mark()
    page.mouse.click(x, y)
    wait_all(page, "instance", picked)
    one_selection_update(wire, mark, {"instance"})

    # a click on a dot of the bqplot dependence plot: one update of the shared selection (not bqplot's own)
    dot = page.locator(".bqplot .dot").nth(17)
    dot.scroll_into_view_if_needed()
    mark = wire.mark()
    dot.click(force=True)
    wait_all(page, "instance", 17)
    one_selection_update(wire, mark, {"instance"})
    assert selected_dot(page) == 17
    nb.run_cell(1)
    assert nb.output_json(1)["mirrored"] == [17, 17, 17]

    # names are text everywhere, bqplot and the control bar included
    assert page.locator(".iw-root img, .iw-root script").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("window.__pwned") is None and not dialogs
    assert "<script>window.__pwned=2</script>" in page.locator(".iw-controlbar").inner_text()
    nb.screenshot("tabular-explorer")

    # replacing the data: one message, and each view draws once
    page.locator(".iw-stacked .iw-ordering-select").select_option("original")
    page.wait_for_function("() => document.querySelector('.iw-stacked').dataset.drawnOrdering === 'original'")
    page.wait_for_timeout(300)
    draws = "() => [...document.querySelectorAll('.iw-root[data-draws]')].map(r => Number(r.dataset.draws))"
    before = page.evaluate(draws)
    mark = wire.mark()
    nb.run_cell(2)
    page.wait_for_function(f"before => ({draws})().every((n, i) => n > before[i])", arg=before)
    page.wait_for_timeout(500)
    assert [b - a for a, b in zip(before, page.evaluate(draws), strict=True)] == [1] * len(before)
    carrying = [m for m in KernelWire.widget_updates(wire.since(mark), "received")
                if "values" in m["content"]["data"]["state"]]  # fmt: skip
    assert len(carrying) == 1
    assert page.evaluate(f"{SHARED}.decodes") == 2


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
