"""Waterfall and Beeswarm: shared tabular traits, their own options, bad input (no browser)."""

from __future__ import annotations

import ipywidgets
import numpy as np
import pytest

import interpretwidgets as iw


@pytest.mark.parametrize("view", [iw.ForcePlot, iw.Waterfall, iw.Beeswarm])
def test_views_share_the_binary_attribution_traits(cancer_attribution, view):
    widget = view(cancer_attribution)
    state = widget.get_state()
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
    state = iw.Waterfall(lime).get_state()
    assert len(state["feature_conditions"]) == 2 and len(state["feature_conditions"][0]) == 4
    assert state["method"] == "lime"


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda a: iw.Waterfall(a, max_display=1), ValueError, "max_display must be at least 2; received 1"),
        (lambda a: iw.Beeswarm(a, max_display=0), ValueError, "max_display must be at least 1; received 0"),
        (lambda a: iw.Beeswarm(a, output=2), ValueError, r"output must be in 0\.\.1; received 2"),
        (lambda a: iw.Waterfall(a, instance=-1), ValueError, r"instance must be in 0\.\.59; received -1"),
        (lambda a: iw.Beeswarm(a, colour="x"), TypeError, "unexpected keyword argument"),
        (lambda a: iw.Waterfall(np.zeros((1, 2, 1))), TypeError, "expected an interpretwidgets.Attribution"),
    ],
)
def test_bad_input(cancer_attribution, make, error, message):
    with pytest.raises(error, match=message):
        make(cancer_attribution)
