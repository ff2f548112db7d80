"""StackedForce orderings, DependencePlot (bqplot) and the TabularExplorer's linking, without a browser."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import leaves_list, linkage

import interpretwidgets as iw


def test_similarity_order_is_hierarchical_leaf_order_and_computed_only_when_asked(cancer_attribution):
    stacked = iw.StackedForce(cancer_attribution, output=1)
    assert stacked.similarity_order is None  # nothing computed for the default ordering
    stacked.ordering = "similarity"
    expected = leaves_list(linkage(cancer_attribution.values[..., 1], method="average"))
    np.testing.assert_array_equal(stacked.similarity_order, expected)
    assert stacked.get_state()["similarity_order"]["dtype"] == "int32"
    stacked.output = 0
    np.testing.assert_array_equal(
        stacked.similarity_order, leaves_list(linkage(cancer_attribution.values[..., 0], method="average"))
    )


def test_similarity_order_known_truth_groups_two_populations():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(5, 0.1, (20, 4)), rng.normal(-5, 0.1, (20, 4))])[rng.permutation(40)]
    a = iw.Attribution(values[..., None], np.zeros(1))
    group = values[:, 0] > 0
    ordered = group[a.similarity_order(0)]
    assert np.count_nonzero(ordered[1:] != ordered[:-1]) == 1  # one boundary: the two groups are contiguous


def test_similarity_order_scales_past_the_exact_limit():
    rng = np.random.default_rng(1)
    a = iw.Attribution(rng.normal(size=(4000, 5, 1)), np.zeros(1))
    order = a.similarity_order(0)
    assert sorted(order.tolist()) == list(range(4000))


def test_stacked_rejects_an_unknown_ordering(cancer_attribution):
    with pytest.raises(ValueError, match="ordering must be one of original, output, similarity, feature"):
        iw.StackedForce(cancer_attribution, ordering="random")


def test_dependence_plot_shows_a_feature_against_its_attribution(cancer_attribution):
    plot = iw.DependencePlot(cancer_attribution, feature="mean radius", output=1)
    scatter = plot._scatter
    np.testing.assert_array_equal(scatter.x, cancer_attribution.data[:, 0])
    np.testing.assert_array_equal(scatter.y, cancer_attribution.values[:, 0, 1])
    assert plot.interaction is not None and plot.interaction != 0
    np.testing.assert_array_equal(scatter.color, cancer_attribution.data[:, plot.interaction])
    plot.feature = 3
    np.testing.assert_array_equal(scatter.y, cancer_attribution.values[:, 3, 1])
    plot._clicked(scatter, {"data": {"index": 7}})  # what bqplot calls on a click
    assert plot.instance == 7 and list(scatter.selected) == [7]
    none = iw.DependencePlot(cancer_attribution, feature=2, interaction=None)
    assert none._scatter.color is None


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"feature": "nope"}, ValueError, "feature must be one of the feature names"),
        ({"feature": 99}, ValueError, r"feature must be in 0\.\.29; received 99"),
        ({"colour": 1}, TypeError, "unexpected keyword argument"),
    ],
)
def test_dependence_bad_input(cancer_attribution, kwargs, error, message):
    with pytest.raises(error, match=message):
        iw.DependencePlot(cancer_attribution, **kwargs)


def test_dependence_needs_feature_values():
    a = iw.Attribution(np.ones((3, 2, 1)), np.zeros(1))
    with pytest.raises(ValueError, match="needs the feature values"):
        iw.DependencePlot(a)


def test_explorer_computes_once_links_every_view_and_caches_lime(forest, cancer):
    X = cancer.data.iloc[:80]
    explorer = iw.TabularExplorer(forest, X, y=cancer.target.iloc[:80], class_names=["malignant", "benign"])
    a = explorer.attribution
    assert a.values.shape == (80, 30, 2) and explorer.output == 1
    views = [explorer.beeswarm, explorer.stacked, explorer.force, explorer.waterfall]
    assert all(v.attribution is a for v in views)  # computed once, shared
    explorer.beeswarm.instance = 12  # as a click would
    assert explorer.instance == 12 and explorer.dependence.instance == 12
    lime = explorer.lime.attribution
    assert lime.method == "lime" and lime.values.shape == (1, 30, 2)
    assert "true label: " in explorer._status.value and "LIME" in explorer._status.value
    explorer.instance = 3
    explorer.instance = 12
    assert explorer.lime.attribution is lime  # cached, not recomputed
    explorer.output = 0
    assert explorer.beeswarm.output == 0 and explorer.lime.output == 0 and explorer.dependence.output == 0
    explorer.feature = 5
    assert explorer.dependence.feature == 5 and explorer.beeswarm.feature == 5
    assert len(repr(explorer)) < 300


def test_explorer_bad_input(forest, cancer):
    with pytest.raises(ValueError, match="one label per row of X"):
        iw.TabularExplorer(forest, cancer.data.iloc[:10], y=[0, 1])
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        iw.TabularExplorer(forest, cancer.data.iloc[:10], colour="x")
    explorer = iw.TabularExplorer(forest, cancer.data.iloc[:10], lime=False)
    assert explorer.lime is None
    with pytest.raises(ValueError, match=r"instance must be in 0\.\.9"):
        explorer.instance = 10
