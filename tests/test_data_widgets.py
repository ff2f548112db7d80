"""Data widgets (the attribution held once), the shared Selection and its mirror, the method registry."""

from __future__ import annotations

import numpy as np
import pytest

import interpretwidgets as iw
from interpretwidgets.kernels.registry import Registry
from interpretwidgets.kernels.tabular import TABULAR


def updates(widget):
    """State updates the widget sends to the browser, as ipywidgets puts them on the comm."""
    sent = []
    original = widget._send

    def send(msg, buffers=None):
        if msg.get("method") == "update":  # not ipywidgets' echo of what the browser sent
            sent.append(set(msg["state"]))
        return original(msg, buffers)

    widget._send = send
    return sent


def test_replacing_the_data_is_one_message_whatever_the_number_of_views(cancer_attribution, forest, cancer):
    data = iw.AttributionData(cancer_attribution)
    views = [iw.ForcePlot(data), iw.Waterfall(data), iw.Beeswarm(data), iw.StackedForce(data)]
    assert all(v.data is data for v in views)
    sent = updates(data)
    other = iw.explain_tabular(forest, cancer.data.iloc[60:100])
    data.attribution = other
    assert len(sent) == 1 and {"values", "base_values", "data", "n_instances"} <= sent[0]
    assert data.get_state()["values"]["shape"] == [40, 30, 2] and views[0].attribution is other


def test_data_of_an_attribution_is_made_once_and_not_reused_after_close(cancer_attribution):
    first = iw.AttributionData.of(cancer_attribution)
    assert iw.AttributionData.of(cancer_attribution) is first and iw.AttributionData.of(first) is first
    first.close()
    assert iw.AttributionData.of(cancer_attribution) is not first


def test_lazy_data_checks_what_compute_returns(cancer_attribution):
    a = cancer_attribution
    lazy = iw.LazyAttributionData(lambda i: a, a.n_instances, feature_names=a.feature_names,
                                  output_names=a.output_names, method="lime")  # fmt: skip
    with pytest.raises(ValueError, match=r"must return one instance with 30 features and 2 outputs; received .*60, 30"):
        lazy.attribution_for(0)
    with pytest.raises(ValueError, match=r"instance must be in 0\.\.59; received 60"):
        lazy.attribution_for(60)
    with pytest.raises(TypeError, match="compute must be a callable"):
        iw.LazyAttributionData(3, 2, feature_names=["a"], output_names=["b"], method="x")
    assert lazy.get_state()["kind"] == "lazy" and "values" not in lazy.get_state()


def test_selection_bounds_and_browser_rollback():
    selection = iw.Selection(limits={"instance": 10, "output": 2}, instance=3)
    assert (selection.instance, selection.output, selection.feature) == (3, 0, 0)
    with pytest.raises(ValueError, match=r"instance must be in 0\.\.9; received 10"):
        selection.instance = 10
    with pytest.raises(ValueError, match="feature must be at least 0; received -1"):
        selection.feature = -1
    with pytest.raises(ValueError, match="limits may bound instance, output"):
        selection.limits = {"colour": 3}
    sent = updates(selection)
    selection.set_state({"instance": 50})  # a bad value from some other front-end writer
    assert selection.instance == 3 and sent == [{"instance"}]  # refused and rolled back in the browser
    selection.limits = {"instance": 2}
    assert selection.instance == 1  # clamped to the new bound
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        iw.Selection(colour=1)


def test_views_mirror_a_shared_selection_without_sending_anything(cancer_attribution):
    selection = iw.Selection(limits={"instance": 60, "output": 2, "feature": 30}, output=1)
    force = iw.ForcePlot(cancer_attribution, selection=selection, controls=False)
    assert force.output == 1 and force.get_state()["selection"] == f"IPY_MODEL_{selection.model_id}"
    sent = updates(force)
    selection.instance = 7  # the browser has it through the selection already
    assert force.instance == 7 and sent == []
    force.instance = 9  # Python writes a view: the shared selection changes
    assert selection.instance == 9


def test_registry_lists_its_methods_and_refuses_duplicates():
    registry = Registry("demo")

    @registry.register("double", summary="twice the input")
    def double(task):
        return 2 * task

    assert registry.get("double").compute(4) == 8 and registry.names() == ("double",) and "double" in registry
    with pytest.raises(ValueError, match="demo method must be one of 'double'; received 'triple'"):
        registry.get("triple")
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("double", summary="again")(double)
    assert TABULAR.names() == ("tree", "kernel", "permutation", "lime", "deep", "integrated_gradients",
                               "gradient_shap")  # fmt: skip
    assert {m.model for m in TABULAR} == {"any", "tree", "torch"}


def test_attribution_validation_lives_in_the_data_package():
    with pytest.raises(ValueError, match=r"data must have shape \(n_instances, \*feature_shape\) = \(2, 2\)"):
        iw.Attribution(np.zeros((2, 2, 1)), [0.0], data=np.zeros((2, 3)))
