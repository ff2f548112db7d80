"""Image views in a real JupyterLab: another thumbnail changes the overlay and the comparison, another class is
followed by every view, an opacity change redraws with no message to the kernel, and LIME's superpixels are
outlined."""

from __future__ import annotations

import pathlib
import re

import pytest

from .harness import KernelWire, NotebookPage, write_notebook

REPO = pathlib.Path(__file__).resolve().parents[2]

SETUP = """
import json, sys
sys.path.insert(0, {root!r})
import interpretwidgets as iw
from tests.image_models import trained_digits

model, images, labels, test = trained_digits()
explorer = iw.ImageExplorer(model, images[test[:6]], methods=["saliency", "integrated_gradients", "gradcam"],
                            class_names=[f"digit {{k}}" for k in range(10)],
                            options={{"integrated_gradients": {{"n_steps": 16}}}})
explorer
"""

READ = """
s = explorer.selection
print(json.dumps({"instance": s.instance, "output": s.output, "method": s.method,
                  "computed": [list(c) for c in explorer.image_data.computed]}))
"""

LIME = """
lime = iw.explain_image(model, images[test[:1]], "lime", target=[3, 5], n_samples=200, segmentation="slic")
iw.ImageView(lime, output=0, top=3)
"""

SETTLED = """(instance) => {
  const view = document.querySelector('.iw-image');
  const compare = document.querySelector('.iw-image-compare');
  return view && compare && view.dataset.instance === String(instance) && !view.classList.contains('iw-waiting')
    && compare.dataset.instance === String(instance) && compare.dataset.panels === '3'
    && compare.querySelector('.iw-agreement-table') !== null;
}"""


def test_image_explorer_links_strip_overlay_comparison_and_class(jupyter, page):
    name = write_notebook(jupyter.root, "image-explorer.ipynb", [SETUP.format(root=str(REPO)), READ, LIME])
    wire = KernelWire(page)
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0, timeout=240_000)
    page.wait_for_function(SETTLED, arg=0, timeout=120_000)
    assert page.locator(".iw-strip-item").count() == 6
    first_draws = int(page.locator(".iw-image").first.get_attribute("data-draws"))

    # another thumbnail → the overlay and the comparison show that image, Python has it from one state update
    mark = wire.mark()
    page.locator(".iw-strip-item").nth(3).click()
    page.wait_for_function(SETTLED, arg=3, timeout=120_000)
    assert len(KernelWire.widget_updates(wire.since(mark))) == 1
    assert page.locator(".iw-strip-selected").get_attribute("data-instance") == "3"
    nb.run_cell(1)
    state = nb.output_json(1)
    assert state["instance"] == 3
    assert sorted(tuple(c) for c in state["computed"] if c[1] == 3) == [
        ("gradcam", 3, state["output"]), ("integrated_gradients", 3, state["output"]), ("saliency", 3, state["output"])
    ]  # fmt: skip

    # another class → every view follows
    page.locator(".iw-image .iw-output-select").select_option("7")
    page.wait_for_function(
        "() => document.querySelector('.iw-image').dataset.output === '7'"
        " && document.querySelector('.iw-image-compare').dataset.output === '7'"
        " && !document.querySelector('.iw-image').classList.contains('iw-waiting')"
    )
    page.wait_for_function(SETTLED, arg=3, timeout=120_000)
    assert "digit 7" in page.locator(".iw-image .iw-caption").inner_text()

    # a click on a comparison panel selects its method for the overlay
    page.locator(".iw-compare-panel[data-method='integrated_gradients']").click()
    page.wait_for_function("() => document.querySelector('.iw-image').dataset.method === 'integrated_gradients'")
    page.wait_for_function("() => !document.querySelector('.iw-image').classList.contains('iw-waiting')")
    caption = page.locator(".iw-image .iw-caption").inner_text()
    assert "completeness gap" in caption and "Baseline:" in caption

    # opacity and sign redraw in the browser with no message to the kernel
    page.wait_for_timeout(500)
    mark = wire.mark()
    draws = int(page.locator(".iw-image").first.get_attribute("data-draws"))
    pixel = (
        "() => { const c = document.querySelector('.iw-image-canvas');"
        " return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).join(); }"
    )
    before = page.evaluate(pixel)
    page.locator(".iw-image .iw-opacity").fill("0.2")
    page.wait_for_function("() => document.querySelector('.iw-image').dataset.opacity === '0.2'")
    assert page.evaluate(pixel) != before
    page.locator(".iw-image .iw-sign-select").select_option("positive")
    page.wait_for_function("() => document.querySelector('.iw-image').dataset.sign === 'positive'")
    assert int(page.locator(".iw-image").first.get_attribute("data-draws")) > draws > first_draws
    page.wait_for_timeout(300)
    assert KernelWire.widget_updates(wire.since(mark)) == [] and KernelWire.custom(wire.since(mark)) == []

    # the agreement table: one row per method, the diagonal 1
    cells = page.locator(".iw-agreement-table tr").nth(1).locator("td").all_text_contents()
    assert len(cells) == 3 and cells[0] == "1.00"
    assert page.locator(".iw-error:not([hidden])").count() == 0
    nb.screenshot("image-explorer")

    # LIME: the top superpixels outlined; hovering names the superpixel and its rank
    nb.run_cell(2, timeout=120_000)
    lime = page.locator(".iw-image").nth(1)
    page.wait_for_function("() => document.querySelectorAll('.iw-image')[1]?.dataset.mode === 'outline'")
    assert "3 superpixels with the largest |weights|" in lime.locator(".iw-legend").inner_text()
    box = lime.locator(".iw-image-canvas").bounding_box()
    lime.locator(".iw-image-canvas").hover(position={"x": box["width"] / 2, "y": box["height"] / 2})
    tooltip = lime.locator(".iw-tooltip").inner_text()
    assert re.search(r"superpixel\s*#\d+", tooltip), tooltip
    assert re.search(r"rank\s*(\d+ of \d+ by \|weight\||no weight)", tooltip), tooltip
    assert page.locator(".iw-error:not([hidden])").count() == 0


def test_the_honesty_panel_shows_agreement_curves_and_the_baseline_switch(jupyter, page):
    cells = [
        SETUP.format(root=str(REPO)).replace("explorer\n", "explorer.honesty\n"),
        "print(json.dumps({'moved': explorer.honesty.data.baseline('uniform', 0, explorer.selection.output)}))",
    ]
    name = write_notebook(jupyter.root, "image-honesty.ipynb", cells)
    wire = KernelWire(page)
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0, timeout=240_000)
    panel = page.locator(".iw-honesty")
    page.wait_for_function(
        "() => { const p = document.querySelector('.iw-honesty'); return p && p.dataset.deletionAuc"
        " && p.dataset.moved && !p.classList.contains('iw-waiting'); }",
        timeout=120_000,
    )
    assert panel.locator(".iw-agreement-table tr").count() == 4  # header + three methods
    text = panel.locator(".iw-honesty-curves").inner_text()
    assert "Removing pixels most important first" in text and "random orders" in text
    # the bqplot lines hold the curves (filled in the browser): four lines, each more than one point
    paths = page.evaluate(
        "() => [...document.querySelectorAll('.bqplot path.line')].map(p => (p.getAttribute('d') || '').length)"
    )
    assert len([d for d in paths if d > 200]) >= 4, paths
    # another baseline: recomputed on request, the moved picture said in words; the panel's own choice, no state sent
    mark = wire.mark()
    panel.locator(".iw-baseline-select").select_option("uniform")
    page.wait_for_function("() => document.querySelector('.iw-honesty-moved').textContent.includes('uniform baseline')")
    assert KernelWire.widget_updates(wire.since(mark)) == []
    nb.run_cell(1)
    moved = nb.output_json(1)["moved"]
    said = re.search(r"rank correlation ([−\d.]+)", panel.locator(".iw-honesty-moved").inner_text()).group(1)
    assert float(said.replace("−", "-")) == pytest.approx(moved["spearman"], abs=0.01)
    assert page.locator(".iw-error:not([hidden])").count() == 0
    nb.screenshot("image-honesty")
