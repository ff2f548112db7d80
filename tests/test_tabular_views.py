"""Waterfall and Beeswarm: shared tabular traits, their own options, bad input (no browser)."""

from __future__ import annotations

import ipywidgets
import numpy as np
import pytest

import interpretwidgets as iw


@pytest.mark.parametrize("view", [iw.ForcePlot, iw.Waterfall, iw.Beeswarm, iw.StackedForce])
def test_views_of_one_attribution_share_one_data_widget(cancer_attribution, view):
    widget = view(cancer_attribution)
    assert widget.data is iw.ForcePlot(cancer_attribution).data is iw.AttributionData.of(cancer_attribution)
    state = widget.data.get_state()
    assert state["values"]["shape"] == [60, 30, 2] and isinstance(state["values"]["buffer"], memoryview)
    assert state["feature_names"] == list(cancer_attribution.feature_names)
    assert len(repr(widget)) < 300


def test_selections_link_across_views(cancer_attribution):
    beeswarm, waterfall = iw.Beeswarm(cancer_attribution), iw.Waterfall(cancer_attribution)
    ipywidgets.link((beeswarm, "instance"), (waterfall, "instance"))
    beeswarm.instance = 17
    assert waterfall.instance == 17


def test_lime_conditions_travel_to_the_views():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=300).fit(X, y)
    lime = iw.explain_tabular(model, X[:2], method="lime", random_state=0, n_samples=300)
    state = iw.Waterfall(lime).data.get_state()
    assert len(state["feature_conditions"]) == 2 and len(state["feature_conditions"][0]) == 4
    assert state["method"] == "lime"


def lazy_for(a):
    return iw.LazyAttributionData(
        lambda i: a, a.n_instances, feature_names=a.feature_names, output_names=a.output_names, method="lime"
    )


def test_views_accept_a_shap_explanation(cancer_attribution):
    plot = iw.Waterfall(cancer_attribution.to_shap(), instance=3, output=1)
    np.testing.assert_allclose(plot.attribution.values, cancer_attribution.values)
    assert plot.attribution.feature_names == cancer_attribution.feature_names


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda a: iw.Waterfall(a, max_display=1), ValueError, "max_display must be at least 2; received 1"),
        (lambda a: iw.Beeswarm(a, max_display=0), ValueError, "max_display must be at least 1; received 0"),
        (lambda a: iw.Beeswarm(a, output=2), ValueError, r"output must be in 0\.\.1; received 2"),
        (lambda a: iw.Waterfall(a, instance=-1), ValueError, r"instance must be in 0\.\.59; received -1"),
        (lambda a: iw.Beeswarm(a, colour="x"), TypeError, "unexpected keyword argument"),
        (lambda a: iw.Waterfall(np.zeros((1, 2, 1))), TypeError, "expected an interpretwidgets.Attribution"),
        (lambda a: iw.Beeswarm(lazy_for(a)), TypeError, "needs an AttributionData, not attributions computed one"),
    ],
)
def test_bad_input(cancer_attribution, make, error, message):
    with pytest.raises(error, match=message):
        make(cancer_attribution)
