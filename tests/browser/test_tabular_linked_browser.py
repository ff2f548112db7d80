"""Beeswarm, ForcePlot and Waterfall linked in a real JupyterLab: click a point → the others show that instance."""

from __future__ import annotations

import pytest

from .harness import NotebookPage, click_a_beeswarm_point, write_notebook

SETUP = """
import json
import ipywidgets
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
import interpretwidgets as iw

data = load_breast_cancer(as_frame=True)
model = RandomForestClassifier(n_estimators=25, max_depth=6, random_state=0).fit(data.data, data.target)
plain = iw.explain_tabular(model, data.data.iloc[:200])
names = list(plain.feature_names)
names[int(np.abs(plain.values[..., 1]).mean(0).argmax())] = '<img src=x onerror=window.__pwned=1>'  # top row
attribution = iw.Attribution(plain.values, plain.base_values, data=plain.data, feature_names=names,
                             output_names=['<i>malignant</i>', 'benign'], method=plain.method,
                             output_space=plain.output_space, baseline=plain.baseline)
swarm = iw.Beeswarm(attribution, output=1, max_display=8)
force = iw.ForcePlot(attribution, output=1)
waterfall = iw.Waterfall(attribution, output=1, max_display=6)
for view in (force, waterfall):
    ipywidgets.jslink((swarm, 'instance'), (view, 'instance'))
    ipywidgets.jslink((swarm, 'output'), (view, 'output'))
ipywidgets.VBox([swarm, force, waterfall])
"""

READ = """
i, k = swarm.instance, swarm.output
print(json.dumps({"instance": i, "output": k, "force": force.instance, "waterfall": waterfall.instance,
                  "base": float(attribution.base_values[i, k]), "fx": float(attribution.output_values[i, k]),
                  "top": float(np.abs(attribution.values[i, :, k]).max())}))
"""


def test_click_in_the_beeswarm_drives_force_and_waterfall(jupyter, page):
    name = write_notebook(jupyter.root, "linked-tabular.ipynb", [SETUP, READ])
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0)
    page.wait_for_selector(".iw-beeswarm canvas")
    page.wait_for_selector(".iw-waterfall .iw-waterfall-bar")
    swarm = page.locator(".iw-beeswarm")
    assert int(swarm.get_attribute("data-points")) == 200 * 8
    hovered = click_a_beeswarm_point(page)

    page.wait_for_function(
        "i => ['.iw-force', '.iw-waterfall'].every(s => document.querySelector(s)?.dataset.instance === String(i))",
        arg=hovered,
    )
    nb.run_cell(1)
    state = nb.output_json(1)
    assert state["instance"] == state["force"] == state["waterfall"] == hovered
    for selector in (".iw-force", ".iw-waterfall"):
        root = page.locator(selector)
        assert float(root.get_attribute("data-base")) == pytest.approx(state["base"], abs=1e-5)
        assert float(root.get_attribute("data-output-value")) == pytest.approx(state["fx"], abs=1e-5)
    bars = page.locator(".iw-waterfall .iw-waterfall-value").all_text_contents()
    assert len(bars) == 6 and abs(float(bars[0].replace("−", "-"))) == pytest.approx(state["top"], rel=5e-3)

    page.locator(".iw-beeswarm .iw-output-select").select_option("0")  # change the class: every view follows
    page.wait_for_function(
        "() => ['.iw-force', '.iw-waterfall', '.iw-beeswarm']"
        ".every(s => document.querySelector(s)?.dataset.output === '0')"
    )
    # hostile names are text everywhere
    assert page.locator(".iw-root img, .iw-root i, .iw-root script").count() == 0
    assert "<i>malignant</i>" in page.locator(".iw-waterfall .iw-caption").inner_text()
    labels = page.locator(".iw-beeswarm .iw-beeswarm-label").all_text_contents()
    waterfall_labels = page.locator(".iw-waterfall .iw-waterfall-label").all_text_contents()
    assert any("<img" in t for t in labels + waterfall_labels)
    assert page.evaluate("window.__pwned") is None and not dialogs
    nb.screenshot("linked-beeswarm-force-waterfall")
