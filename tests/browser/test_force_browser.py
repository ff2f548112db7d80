"""ForcePlot in a real JupyterLab and Notebook 7: drawn numbers, selections both ways, hostile names, errors."""

from __future__ import annotations

import re

import pytest

from .harness import NotebookPage, write_notebook

SETUP = """
import json
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
import interpretwidgets as iw

data = load_breast_cancer(as_frame=True)
model = RandomForestClassifier(n_estimators=25, max_depth=6, random_state=0).fit(data.data, data.target)
attribution = iw.explain_tabular(model, data.data.iloc[:60]{names})
plot = iw.ForcePlot(attribution, instance=3, output=1)
plot
"""

EXPECTED = """
def expected(i, k):
    v = attribution.values[i, :, k].astype(np.float32)
    return {"base": float(attribution.base_values[i, k]), "output": float(attribution.output_values[i, k]),
            "segments": int(np.count_nonzero(v)), "names": [attribution.feature_names[j] for j in np.flatnonzero(v)]}
print(json.dumps({"i3k1": expected(3, 1), "i4k1": expected(4, 1), "i4k0": expected(4, 0), "i5k0": expected(5, 0)}))
"""

STATE = 'print(json.dumps({"instance": plot.instance, "output": plot.output, "error": plot.error}))'


def drawn(page) -> dict:
    root = page.locator(".iw-force").first
    return {
        "instance": int(root.get_attribute("data-instance")),
        "output": int(root.get_attribute("data-output")),
        "base": float(root.get_attribute("data-base")),
        "output_value": float(root.get_attribute("data-output-value")),
        "segments": page.locator(".iw-force .iw-force-segment").count(),
        "output_text": page.locator(".iw-force .iw-force-output").text_content(),
        "base_text": page.locator(".iw-force .iw-force-base").text_content(),
    }


def shown_number(text: str) -> float:
    """The number a label shows; "≈0" is a value that rounds to 0 at the precision the plot shows."""
    if re.search(r"=\s*≈0$", text):
        return 0.0
    return float(re.search(r"=\s*([−-]?[\d.]+(?:e[−-]?\d+)?)", text).group(1).replace("−", "-"))


def assert_draws(page, expected: dict, instance: int, output: int) -> None:
    page.wait_for_function(
        "([i, k]) => { const r = document.querySelector('.iw-force');"
        " return r && r.dataset.instance === String(i) && r.dataset.output === String(k); }",
        arg=[instance, output],
    )
    got = drawn(page)
    assert got["segments"] == expected["segments"]
    assert got["base"] == pytest.approx(expected["base"], abs=1e-5)
    assert got["output_value"] == pytest.approx(expected["output"], abs=1e-5)
    # the numbers a reader sees, to the 3 significant digits shown
    assert shown_number(got["output_text"]) == pytest.approx(expected["output"], rel=5e-3, abs=1e-3)
    assert shown_number(got["base_text"]) == pytest.approx(expected["base"], rel=5e-3, abs=1e-3)


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_force_plot_renders_with_the_right_numbers(jupyter, page, app):
    name = write_notebook(jupyter.root, f"force-{app}.ipynb", [SETUP.format(names=""), EXPECTED])
    nb = NotebookPage(page, jupyter, name, app=app)
    nb.run_cell(0)
    page.wait_for_selector(".iw-force .iw-force-segment")
    nb.run_cell(1)
    expected = nb.output_json(1)
    assert_draws(page, expected["i3k1"], 3, 1)
    labels = page.locator(".iw-force .iw-force-label").all_text_contents()
    assert labels and all(re.search(r" = [−-]?[\d.]", label) for label in labels)
    assert page.locator(".iw-force .iw-error").is_hidden()
    assert not [e for e in nb.errors if "anywidget" in e or "iw-" in e], nb.errors
    nb.screenshot(f"force-plot-{app}")


def test_browser_selection_reaches_python_and_python_redraws(jupyter, page):
    name = write_notebook(
        jupyter.root, "force-roundtrip.ipynb", [SETUP.format(names=""), EXPECTED, STATE, "plot.instance = 5"]
    )
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0)
    page.wait_for_selector(".iw-force .iw-force-segment")
    nb.run_cell(1)
    expected = nb.output_json(1)

    page.locator(".iw-force .iw-next").click()  # browser: instance 3 → 4
    assert_draws(page, expected["i4k1"], 4, 1)
    page.locator(".iw-force .iw-output-select").select_option("0")  # browser: class 1 → 0
    assert_draws(page, expected["i4k0"], 4, 0)
    nb.run_cell(2)
    assert nb.output_json(2) == {"instance": 4, "output": 0, "error": ""}

    nb.run_cell(3)  # Python: plot.instance = 5
    assert_draws(page, expected["i5k0"], 5, 0)
    assert page.locator(".iw-force .iw-instance-input").input_value() == "5"

    segment = page.locator(".iw-force .iw-force-segment").first
    segment.hover()
    tooltip = page.locator(".iw-force .iw-tooltip")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert "feature" in text and "contribution" in text and "value" in text
    assert any(n in text for n in expected["i5k0"]["names"])
    nb.screenshot("force-plot-roundtrip-hover")


HOSTILE = "<img src=x onerror=window.__pwned=1>"


def test_hostile_names_stay_text(jupyter, page):
    names = (
        f", feature_names=['{HOSTILE}'] + list(data.data.columns[1:]),"
        f" output_names=['<b>benign</b>', '<script>window.__pwned=2</script>']"
    )
    setup = SETUP.format(names=names).replace("instance=3, output=1", "instance=0, output=1")
    # make the hostile feature dominate, so that its label is drawn and not only its tooltip
    setup = setup.replace("plot = iw.", "attribution.values[:, 0, :] += 1.0\nplot = iw.")
    name = write_notebook(jupyter.root, "force-hostile.ipynb", [setup])
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0)
    page.wait_for_selector(".iw-force .iw-force-segment")
    root = page.locator(".iw-force")
    assert root.locator("img, script, b").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert HOSTILE in " ".join(root.locator(".iw-force-label").all_text_contents())
    root.locator(".iw-force-segment[data-feature='0']").hover()
    assert HOSTILE in root.locator(".iw-tooltip").inner_text()
    options = root.locator(".iw-output-select option").all_text_contents()
    assert options == ["<b>benign</b>", "<script>window.__pwned=2</script>"]
    assert "<script>window.__pwned=2</script>" in root.locator(".iw-caption").inner_text()
    assert not dialogs
    nb.screenshot("force-plot-hostile-names")


def test_bad_value_from_a_linked_view_shows_in_the_view_and_the_kernel_lives(jupyter, page):
    cells = [
        SETUP.format(names="")
        + "\nimport ipywidgets\nsmall = iw.ForcePlot(iw.explain_tabular(model, data.data.iloc[:10]))\n"
        "ipywidgets.jslink((plot, 'instance'), (small, 'instance'))\nipywidgets.VBox([plot, small])",
        "print(json.dumps({'error': small.error, 'instance': small.instance, 'alive': True}))",
    ]
    name = write_notebook(jupyter.root, "force-linked-error.ipynb", cells)
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0)
    page.wait_for_selector(".iw-force .iw-force-segment")
    page.locator(".iw-force").first.locator(".iw-instance-input").fill("42")
    page.locator(".iw-force").first.locator(".iw-instance-input").press("Enter")
    error = page.locator(".iw-force").nth(1).locator(".iw-error")
    try:
        error.wait_for(state="visible", timeout=15_000)
    finally:
        nb.screenshot("force-plot-linked-error")
    assert "42" in error.inner_text()
    nb.run_cell(1)
    state = nb.output_json(1)
    assert (
        state["alive"] and state["instance"] == 3 and "received 42" in state["error"]
    )  # 3: jslink synced it at display
    nb.screenshot("force-plot-linked-error")


def test_views_follow_the_dark_theme(jupyter, page):
    settings = jupyter.root / ".settings" / "@jupyterlab" / "apputils-extension" / "themes.jupyterlab-settings"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('{"theme": "JupyterLab Dark"}')
    try:
        name = write_notebook(jupyter.root, "force-dark.ipynb", [SETUP.format(names="")])
        nb = NotebookPage(page, jupyter, name)
        page.wait_for_selector("body[data-jp-theme-light='false']", state="attached")
        nb.run_cell(0)
        page.wait_for_selector(".iw-force .iw-force-segment")
        colours = page.evaluate(
            """() => {
                const root = document.querySelector('.iw-force');
                const style = getComputedStyle(root);
                const segment = getComputedStyle(root.querySelector('.iw-pos'));
                return {positive: style.getPropertyValue('--iw-positive').trim(), fill: segment.fill,
                        text: getComputedStyle(root.querySelector('.iw-force-output')).fill,
                        background: style.backgroundColor};
            }"""
        )
        assert colours["positive"] == "#ff8a3d" and colours["fill"] == "rgb(255, 138, 61)"
        # light text on a dark background: the sum of the text's channels is well above the background's
        text = sum(int(c) for c in re.findall(r"\d+", colours["text"])[:3])
        background = sum(int(c) for c in re.findall(r"\d+", colours["background"])[:3])
        assert text > background + 300, colours
        nb.screenshot("force-plot-dark-theme")
    finally:
        settings.unlink()
