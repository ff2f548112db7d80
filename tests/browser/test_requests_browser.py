"""Requests in a real JupyterLab: a view says what it waits for, a burst of steps computes the first and the last
instance only, an error reply is shown in the view and the kernel lives on, and a resize re-sorts nothing."""

from __future__ import annotations

from .harness import KernelWire, NotebookPage, write_notebook

SETUP = """
import json, time
import numpy as np
import interpretwidgets as iw

rng = np.random.default_rng(0)
full = iw.Attribution(rng.normal(size=(40, 6, 1)), [0.5], data=rng.normal(size=(40, 6)), method="tree")
asked = []

def slow(instance):
    asked.append(instance)
    time.sleep(0.6)  # a method that takes a while, like LIME
    if instance == 9:
        raise ValueError("the surrogate did not converge for instance 9")
    return iw.Attribution(full.values[instance:instance + 1] * 2, [0.5], data=full.data[instance:instance + 1],
                          feature_names=full.feature_names, output_names=full.output_names, method="slow method")

lazy = iw.LazyAttributionData(slow, 40, feature_names=full.feature_names, output_names=full.output_names,
                              method="slow method")
plot = iw.ForcePlot(lazy, instance=0)
plot
"""

ASKED = "print(json.dumps({'asked': asked, 'computed': list(lazy.computed), 'instance': plot.instance}))"

SWARM = "swarm = iw.Beeswarm(full)\nswarm"


def test_a_lazy_view_waits_honestly_skips_what_was_replaced_and_shows_errors(jupyter, page):
    name = write_notebook(jupyter.root, "requests.ipynb", [SETUP, ASKED, "plot.instance = 9", SWARM])
    wire = KernelWire(page)
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0)
    force = page.locator(".iw-force")
    status = force.locator(".iw-status")
    status.wait_for(state="visible")  # before the first reply: what it computes, for which instance
    assert status.inner_text() == "Computing slow method for instance 0…"
    page.wait_for_function("() => document.querySelector('.iw-force').dataset.instance === '0'")
    assert status.is_hidden() and force.get_attribute("data-method") == "slow method"

    # five steps faster than one computation: the ones replaced meanwhile are cancelled, and never computed
    mark = wire.mark()
    for _ in range(5):
        force.locator(".iw-next").click()
    assert "Computing slow method for instance 5…" in status.inner_text()
    assert force.get_attribute("data-instance") == "0"  # what is drawn is still labelled as what it is
    page.wait_for_function("() => document.querySelector('.iw-force').dataset.instance === '5'", timeout=20_000)
    sent = [m["content"]["data"]["content"] for m in KernelWire.custom(wire.since(mark))]
    assert [m["params"]["instance"] for m in sent if m["iw"] == "request"] == [1, 2, 3, 4, 5]
    assert len([m for m in sent if m["iw"] == "cancel"]) == 4
    nb.run_cell(1)
    asked = nb.output_json(1)["asked"]
    assert asked[0] == 0 and asked[-1] == 5 and len(asked) <= 3, asked  # 1 may have started before its cancel came

    # an error reply is shown in the view; the kernel lives on and the view recovers on the next instance
    nb.run_cell(2)
    page.wait_for_function("() => !document.querySelector('.iw-force .iw-error').hidden", timeout=20_000)
    assert "the surrogate did not converge for instance 9" in force.locator(".iw-error").inner_text()
    force.locator(".iw-next").click()
    page.wait_for_function("() => document.querySelector('.iw-force').dataset.instance === '10'", timeout=20_000)
    assert force.locator(".iw-error").is_hidden()
    nb.run_cell(1)
    assert nb.output_json(1)["instance"] == 10

    # a resize lays out the width again and sorts nothing again
    nb.run_cell(3)
    swarm = page.locator(".iw-beeswarm")
    page.wait_for_selector(".iw-beeswarm[data-points]")
    before = {key: swarm.get_attribute(f"data-{key}") for key in ("data-layouts", "width-layouts", "draws")}
    page.set_viewport_size({"width": 900, "height": 900})
    page.wait_for_function(
        "w => document.querySelector('.iw-beeswarm').dataset.widthLayouts !== w", arg=before["width-layouts"]
    )
    assert swarm.get_attribute("data-data-layouts") == before["data-layouts"] == "1"
    assert int(swarm.get_attribute("data-width-layouts")) > int(before["width-layouts"])
    nb.screenshot("requests-lazy-view")
