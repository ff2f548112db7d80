"""Similarity order and interaction search (kernels), StackedForce, DependencePlot and the TabularExplorer's single
data model and selection, without a browser."""

from __future__ import annotations

import numpy as np
import pytest
import shap
from scipy.cluster.hierarchy import leaves_list, linkage

import interpretwidgets as iw
from interpretwidgets._transfer import decode, unpack
from interpretwidgets.kernels.interactions import strongest_interaction
from interpretwidgets.kernels.ordering import similarity_order


def replies(widget):
    """The custom messages a widget sends to the browser, buffers put back in place."""
    sent = []
    widget.send = lambda content, buffers=None: sent.append(unpack(content, buffers or []))
    return sent


def test_similarity_order_is_scipys_hierarchical_leaf_order(cancer_attribution):
    for output in (0, 1):
        expected = leaves_list(linkage(cancer_attribution.values[..., output], method="average"))
        np.testing.assert_array_equal(similarity_order(cancer_attribution, output), expected)


def test_similarity_order_known_truth_groups_two_populations():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(5, 0.1, (20, 4)), rng.normal(-5, 0.1, (20, 4))])[rng.permutation(40)]
    a = iw.Attribution(values[..., None], np.zeros(1))
    group = values[:, 0] > 0
    ordered = group[similarity_order(a, 0)]
    assert np.count_nonzero(ordered[1:] != ordered[:-1]) == 1  # one boundary: the two groups are contiguous


def test_similarity_order_scales_past_the_exact_limit():
    rng = np.random.default_rng(1)
    a = iw.Attribution(rng.normal(size=(4000, 5, 1)), np.zeros(1))
    order = similarity_order(a, 0)
    assert sorted(order.tolist()) == list(range(4000)) and order.dtype == np.int32


def test_similarity_order_is_a_request_computed_once_per_output_not_an_observer(cancer_attribution):
    stacked = iw.StackedForce(cancer_attribution, output=1)
    data = stacked.data
    stacked.ordering = "similarity"  # nothing is computed by the trait change itself
    assert ("similarity", 1) not in data._derived
    sent = replies(data)
    data.requests.receive(data, {"iw": "request", "id": "a-1", "kind": "similarity_order", "params": {"output": 1}}, [])
    data.requests.answer_all()  # what the deferred answer does once the kernel has read its queue
    reply = sent[-1]
    assert reply["iw"] == "reply" and reply["id"] == "a-1" and reply["content"]["order"]["dtype"] == "int32"
    np.testing.assert_array_equal(decode(reply["content"]["order"]), similarity_order(cancer_attribution, 1))
    cached = data.similarity_order(1)
    assert data.similarity_order(1) is cached  # computed once per output


def test_strongest_interaction_is_shaps_and_leaves_the_global_random_state_alone(cancer_attribution):
    state = np.random.get_state()  # noqa: NPY002 - shap draws from the legacy global generator
    expected = shap.utils.approximate_interactions(3, cancer_attribution.values[..., 1], cancer_attribution.data)
    assert strongest_interaction(cancer_attribution, 3, 1) == next(i for i in expected if i != 3)
    np.random.set_state(state)  # noqa: NPY002
    strongest_interaction(cancer_attribution, 3, 1)
    assert np.random.get_state()[1][0] == state[1][0]  # noqa: NPY002 - untouched by our call
    with pytest.raises(ValueError, match="needs the feature values"):
        strongest_interaction(iw.Attribution(np.ones((3, 2, 1)), np.zeros(1)), 0, 0)


def test_stacked_rejects_an_unknown_ordering(cancer_attribution):
    with pytest.raises(ValueError, match="ordering must be one of original, output, similarity, feature"):
        iw.StackedForce(cancer_attribution, ordering="random")


def test_dependence_plot_references_the_shared_data_and_colours_by_the_strongest_interaction(cancer_attribution):
    plot = iw.DependencePlot(cancer_attribution, feature="mean radius", output=1)
    link = plot._link
    assert link.data is iw.AttributionData.of(cancer_attribution) and link.selection is plot
    assert link.scatter is plot._scatter and link.colour_mode == "auto"
    assert plot.feature == 0 and plot.interaction == "auto"
    assert len(plot._scatter.x) == 0  # filled in the browser from the shared data: nothing is sent twice
    assert plot.colour_feature() == strongest_interaction(cancer_attribution, 0, 1)
    plot.interaction = "mean texture"
    assert plot.interaction == 1 and link.colour_mode == "fixed"
    plot.interaction = None
    assert plot.interaction is None and plot.colour_feature() is None
    plot.feature = 3
    assert plot.feature == 3
    plot.set_state({"instance": 7})  # a click on a dot, through the browser
    assert plot.instance == 7
    plot.set_state({"instance": 600})  # refused, rolled back
    assert plot.instance == 7


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


def test_explorer_is_one_data_model_and_one_selection(forest, cancer):
    X = cancer.data.iloc[:80]
    explorer = iw.TabularExplorer(forest, X, y=cancer.target.iloc[:80], class_names=["malignant", "benign"])
    a = explorer.attribution
    assert a.values.shape == (80, 30, 2) and explorer.method == "tree"
    # it opens on instance 0's predicted class (malignant) and that class's most important feature
    assert explorer.output == int(np.argmax(a.output_values[0])) == 0 == cancer.target.iloc[0]
    assert explorer.feature == int(np.argmax(np.abs(a.values[:, :, 0]).mean(axis=0)))
    assert explorer.dependence.feature == explorer.feature and explorer.feature != 0
    views = [explorer.controls, explorer.beeswarm, explorer.stacked, explorer.force, explorer.waterfall,
             explorer.comparison]  # fmt: skip
    assert all(v.data is explorer.data for v in views)  # the arrays live once
    assert all(v.selection is explorer.selection for v in views) and explorer.dependence._link.selection is (
        explorer.selection
    )
    assert not any(v.controls for v in views[1:])  # one control bar
    assert explorer.force.alternatives == [explorer.lime] and explorer.comparison.compare
    assert explorer.selection.limits == {"instance": 80, "output": 2, "feature": 30}
    # Python sets the selection; every view's own traits follow in Python only
    explorer.instance = 12
    assert explorer.beeswarm.instance == explorer.force.instance == explorer.dependence.instance == 12
    explorer.output = 0
    assert explorer.waterfall.output == 0 and explorer.dependence.output == 0
    explorer.feature = 5
    assert explorer.dependence.feature == 5 and explorer.beeswarm.feature == 5
    explorer.force.instance = 3  # a view's trait writes the shared selection
    assert explorer.instance == 3
    explorer.method = "lime"
    assert explorer.selection.method == "lime"
    with pytest.raises(ValueError, match="method must be one of 'tree', 'lime'"):
        explorer.method = "kernel"
    assert len(repr(explorer)) < 300


def test_explorer_computes_lime_on_request_only_and_caches_it(forest, cancer):
    explorer = iw.TabularExplorer(forest, cancer.data.iloc[:40], y=cancer.target.iloc[:40])
    lime = explorer.lime
    assert lime.computed == ()  # nothing at construction, nothing on a selection change
    explorer.instance = 12
    assert lime.computed == ()
    sent = replies(lime)
    request = {"iw": "request", "id": "v-1", "kind": "attribution", "params": {"instance": 12}}
    lime.requests.receive(lime, request, [])
    lime.requests.answer_all()
    content = sent[-1]["content"]
    assert content["instance"] == 12 and content["method"] == "lime" and lime.computed == (12,)
    values = decode(content["values"])
    first = lime.attribution_for(12)
    np.testing.assert_allclose(values, first.values, atol=1e-6)
    assert values.shape == (1, 30, 2) and content["feature_conditions"][0][0]  # LIME's own conditions
    direct = iw.explain_tabular(
        forest, cancer.data.iloc[12:13], "lime", background=explorer.attribution.data, random_state=0,
        output_names=explorer.attribution.output_names,
    )  # fmt: skip
    np.testing.assert_allclose(first.values, direct.values)  # the library called directly, same seed
    lime.requests.receive(lime, {**request, "id": "v-2"}, [])
    lime.requests.answer_all()
    assert lime.attribution_for(12) is first and lime.computed == (12,)  # cached


def test_explorer_true_labels_map_onto_the_class_names(forest, cancer):
    explorer = iw.TabularExplorer(forest, cancer.data.iloc[:10], y=cancer.target.iloc[:10], class_names=["m", "b"])
    np.testing.assert_array_equal(explorer.controls.true_values, cancer.target.iloc[:10].to_numpy())
    assert explorer.controls.true_names == ["m", "b"]


def test_explorer_bad_input(forest, cancer):
    with pytest.raises(ValueError, match="one label per row of X"):
        iw.TabularExplorer(forest, cancer.data.iloc[:10], y=[0, 1])
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        iw.TabularExplorer(forest, cancer.data.iloc[:10], colour="x")
    with pytest.raises(ValueError, match="tabular method must be one of"):
        iw.TabularExplorer(forest, cancer.data.iloc[:10], method="magic")
    explorer = iw.TabularExplorer(forest, cancer.data.iloc[:10], lime=False)
    assert explorer.lime is None and explorer.comparison is None
    with pytest.raises(ValueError, match=r"instance must be in 0\.\.9"):
        explorer.instance = 10
    assert explorer.instance == 0


def test_explorer_opens_on_the_predicted_class_of_the_selected_instance():
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    for instance, expected in ((0, 0), (60, 1), (120, 2)):  # a setosa, a versicolor, a virginica
        explorer = iw.TabularExplorer(model, X, y, class_names=["setosa", "versicolor", "virginica"],
                                      instance=instance, lime=False)  # fmt: skip
        assert (explorer.instance, explorer.output) == (instance, expected)
        ranking = np.abs(explorer.attribution.values[:, :, expected]).mean(axis=0)
        assert explorer.feature == int(np.argmax(ranking))
    chosen = iw.TabularExplorer(model, X, y, output=2, feature=1, lime=False)
    assert (chosen.output, chosen.feature) == (2, 1)
    with pytest.raises(ValueError, match=r"output must be in 0\.\.2; received 3"):
        iw.TabularExplorer(model, X, y, output=3, lime=False)


def test_explorer_takes_a_feature_by_name_and_refuses_bad_indices_before_any_work(forest, cancer):
    X = cancer.data.iloc[:40]
    explorer = iw.TabularExplorer(forest, X, lime=False, feature="mean texture")
    assert explorer.feature == list(X.columns).index("mean texture") == explorer.dependence.feature
    with pytest.raises(ValueError, match=r"instance must be in 0\.\.39; received 40"):
        iw.TabularExplorer(object(), X, instance=40)  # refused before the (impossible) explanation
    with pytest.raises(ValueError, match="feature must be one of the feature names"):
        iw.TabularExplorer(object(), X, feature="no such feature")
