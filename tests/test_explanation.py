"""The Attribution data model: validation, derived values, shap interop."""

from __future__ import annotations

import numpy as np
import pytest

import interpretwidgets as iw


def make(n=4, f=3, k=2, **kwargs):
    rng = np.random.default_rng(1)
    return iw.Attribution(rng.normal(size=(n, f, k)), rng.normal(size=(n, k)), **kwargs)


def test_shapes_and_output_values_add_up():
    a = make(data=np.ones((4, 3)), feature_names=["a", "b", "c"], output_names=["no", "yes"], method="tree")
    assert (a.n_instances, a.n_features, a.n_outputs, a.feature_shape) == (4, 3, 2, (3,))
    np.testing.assert_allclose(a.output_values, a.base_values + a.values.sum(axis=1))
    assert a.feature_names == ("a", "b", "c")
    assert "instances=4" in repr(a) and "method='tree'" in repr(a)


def test_defaults_for_names_and_broadcast_base():
    a = iw.Attribution(np.zeros((2, 3, 1)), [0.5])
    assert a.feature_names == ("feature 0", "feature 1", "feature 2")
    assert a.output_names == ("output 0",)
    np.testing.assert_array_equal(a.base_values, [[0.5], [0.5]])


def test_image_shaped_attribution_has_no_feature_names():
    a = iw.Attribution(np.zeros((1, 4, 5, 3)), np.zeros((1, 3)))
    assert a.feature_shape == (4, 5) and a.feature_names is None and a.n_features == 20


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"values": np.zeros((3, 4)), "base_values": np.zeros((3, 1))}, ValueError, r"values\[\.\.\., None\]"),
        ({"values": np.zeros((3, 4, 2)), "base_values": np.zeros((3, 1))}, ValueError, r"\(3, 2\) or \(2,\)"),
        ({"values": np.full((2, 2, 1), np.nan), "base_values": np.zeros(1)}, ValueError, "NaN/inf"),
        ({"values": np.zeros((2, 2, 1)), "base_values": [np.inf]}, ValueError, "base_values must be finite"),
        ({"values": [["a"]], "base_values": [0.0]}, TypeError, "numeric"),
        ({"values": np.zeros((2, 2, 1)), "base_values": [0.0], "feature_names": ["x"]}, ValueError, "2 entries"),
        ({"values": np.zeros((2, 2, 1)), "base_values": [0.0], "feature_names": "ab"}, TypeError, "sequence"),
        ({"values": np.zeros((2, 2, 1)), "base_values": [0.0], "feature_names": [1, 2]}, TypeError, "str"),
        ({"values": np.zeros((2, 2, 1)), "base_values": [0.0], "output_names": ["a", "b"]}, ValueError, "1 entries"),
        ({"values": np.zeros((2, 2, 1)), "base_values": [0.0], "data": np.zeros((2, 3))}, ValueError, r"\(2, 2\)"),
        ({"values": np.zeros((2, 2, 1)), "base_values": [0.0], "data": [["a", "b"]] * 2}, TypeError, "numeric"),
        ({"values": np.zeros((2, 2, 1)), "base_values": [0.0], "method": 3}, TypeError, "method must be a str"),
        ({"values": np.zeros((2, 2, 1)), "base_values": [0.0], "convergence_delta": [1, 2, 3]}, ValueError, "delta"),
    ],
)
def test_bad_input_is_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        iw.Attribution(**kwargs)


def test_check_index_messages():
    a = make()
    with pytest.raises(ValueError, match=r"instance must be in 0\.\.3; received 4"):
        a.check_index(4, 0)
    with pytest.raises(ValueError, match=r"output must be in 0\.\.1; received -1"):
        a.check_index(0, -1)
    with pytest.raises(TypeError, match="instance must be an int; received float"):
        a.check_index(1.0, 0)


def test_from_shap_and_to_shap_round_trip_multi_output():
    shap = pytest.importorskip("shap")
    rng = np.random.default_rng(2)
    expl = shap.Explanation(
        values=rng.normal(size=(5, 3, 2)),
        base_values=rng.normal(size=(5, 2)),
        data=rng.normal(size=(5, 3)),
        feature_names=["a", "b", "c"],
        output_names=["x", "y"],
    )
    a = iw.Attribution.from_shap(expl, method="kernel")
    assert a.values.shape == (5, 3, 2) and a.output_names == ("x", "y") and a.method == "kernel"
    back = a.to_shap()
    np.testing.assert_array_equal(back.values, expl.values)
    np.testing.assert_array_equal(back.base_values, expl.base_values)
    assert list(back.feature_names) == ["a", "b", "c"]


def test_from_shap_single_output_and_single_instance():
    shap = pytest.importorskip("shap")
    batch = shap.Explanation(values=np.ones((4, 3)), base_values=np.full(4, 0.25), data=np.zeros((4, 3)))
    a = iw.Attribution.from_shap(batch)
    assert a.values.shape == (4, 3, 1) and a.base_values.shape == (4, 1)
    assert a.to_shap().values.shape == (4, 3)  # shap's plots expect no outputs axis for one output
    one = iw.Attribution.from_shap(batch[1])
    assert one.values.shape == (1, 3, 1)
    multi_one = shap.Explanation(values=np.ones((3, 2)), base_values=np.zeros(2))
    assert iw.Attribution.from_shap(multi_one).values.shape == (1, 3, 2)


def test_from_shap_rejects_other_objects():
    with pytest.raises(TypeError, match=r"shap\.Explanation"):
        iw.Attribution.from_shap(np.zeros(3))


def test_from_shap_names_its_method_and_outputs(forest, cancer):
    shap = pytest.importorskip("shap")
    explanation = shap.TreeExplainer(forest)(cancer.data.iloc[:5])
    a = iw.Attribution.from_shap(explanation, output_names=["malignant", "benign"])
    assert a.method == "shap"  # shap's Explanation does not say which explainer made it
    assert a.output_names == ("malignant", "benign")
    assert iw.Attribution.from_shap(explanation, method="tree").method == "tree"
    with pytest.raises(ValueError, match=r"output_names must have 2 entries \(one per output\); received 3"):
        iw.Attribution.from_shap(explanation, output_names=["a", "b", "c"])


def test_every_view_accepts_a_shap_explanation(forest, cancer):
    shap = pytest.importorskip("shap")
    explanation = shap.TreeExplainer(forest)(cancer.data.iloc[:30])
    views = [
        iw.ForcePlot(explanation, instance=2, output=1),
        iw.Waterfall(explanation, instance=2, output=1),
        iw.Beeswarm(explanation, output=1),
        iw.StackedForce(explanation, output=1),
        iw.DependencePlot(explanation, feature="worst radius", output=1),
    ]
    data = {view.data for view in views}
    assert len(data) == 1  # one data widget for the one explanation
    a = next(iter(data)).attribution
    assert a.method == "shap" and a.n_instances == 30
    np.testing.assert_allclose(a.values, explanation.values)
    assert iw.AttributionData(explanation).attribution.n_instances == 30


def token_attribution(**kwargs):
    """Two texts of 3 and 1 tokens, padded to 4 tokens, one output."""
    values = np.zeros((2, 4, 1))
    values[0, :3, 0] = [0.5, -1.0, 2.0]
    values[1, 0, 0] = 0.25
    return iw.Attribution(values, [[1.0], [2.0]], feature_names=[["[CLS]", "good", "film"], ("bad",)], **kwargs)


def test_per_instance_token_lists_are_kept_with_their_counts():
    data = np.full((2, 4), np.nan)
    data[0, :3], data[1, 0] = [101, 7, 9], 12
    a = token_attribution(data=data, output_names=["positive"])
    assert a.tokens == (("[CLS]", "good", "film"), ("bad",))
    np.testing.assert_array_equal(a.token_counts, [3, 1])
    assert a.token_counts.dtype.kind == "i"
    assert a.tokens_of(0) == ("[CLS]", "good", "film") and a.tokens_of(1) == ("bad",)
    assert a.feature_names == ("token 0", "token 1", "token 2", "token 3")  # positional: views index one flat axis
    np.testing.assert_allclose(a.output_values, [[2.5], [2.25]])
    with pytest.raises(ValueError, match=r"instance must be in 0\.\.1; received 2"):
        a.tokens_of(2)


def test_flat_names_keep_their_behaviour_and_tokens_of_gives_them():
    a = make(feature_names=["a", "b", "c"])
    assert a.tokens is None and a.token_counts is None
    assert a.tokens_of(3) == ("a", "b", "c")
    with pytest.raises(ValueError, match="no tokens or feature names"):
        iw.Attribution(np.zeros((1, 2, 2, 1)), [0.0]).tokens_of(0)


def test_to_frame_uses_the_tokens_and_drops_the_padding():
    data = np.full((2, 4), np.nan)
    data[0, :3], data[1, 0] = [101, 7, 9], 12
    frame = token_attribution(data=data).to_frame()
    assert len(frame) == 4  # 3 + 1 tokens, not 2 × 4 positions
    assert frame["feature"].tolist() == ["[CLS]", "good", "film", "bad"]
    assert frame["instance"].tolist() == [0, 0, 0, 1] and frame["position"].tolist() == [0, 1, 2, 0]
    np.testing.assert_allclose(frame["value"], [0.5, -1.0, 2.0, 0.25])
    np.testing.assert_allclose(frame["data"], [101, 7, 9, 12])
    np.testing.assert_allclose(frame["base_value"], [1.0, 1.0, 1.0, 2.0])
    assert "position" not in make().to_frame().columns  # flat attributions unchanged


@pytest.mark.parametrize(
    ("values", "names", "data", "error", "message"),
    [
        (np.zeros((2, 3, 1)), [["a"], ["b"], ["c"]], None, ValueError,
         r"feature_names must hold 2 token lists \(one per instance\); received 3"),
        (np.zeros((2, 3, 1)), [["a", "b", "c", "d"], ["b"]], None, ValueError,
         r"feature_names\[0\] has 4 tokens; values have room for at most 3"),
        (np.ones((2, 3, 1)), [["a", "b"], ["c"]], None, ValueError,
         "instance 0 has 2 tokens but a non-zero value at token position 2"),
        (np.zeros((2, 3, 1)), [["a", "b"], ["c"]], np.zeros((2, 3)), ValueError,
         "data after an instance's tokens is padding and must be NaN; instance 0 has 2 tokens"),
        (np.zeros((2, 3, 3, 1)), [["a"], ["b"]], None, ValueError,
         r"need values of shape \(n_instances, max_tokens, n_outputs\); received shape \(2, 3, 3, 1\)"),
        (np.zeros((2, 3, 1)), [["a", 1], ["b"]], None, TypeError, r"feature_names\[0\] must hold str tokens only"),
        (np.zeros((2, 3, 1)), ["a", ["b"]], None, TypeError,
         r"feature_names\[0\] must be a sequence of str \(one instance's tokens\); received str"),
    ],
    ids=["list count", "list too long", "padding not zero", "data padding not NaN", "image shape", "int token",
         "mixed flat and nested"],
)  # fmt: skip
def test_bad_token_lists_are_named(values, names, data, error, message):
    with pytest.raises(error, match=message):
        iw.Attribution(values, np.zeros(1), data=data, feature_names=names)


def test_a_superpixel_attribution_keeps_its_segments_and_the_images():
    segments = np.array([[[0, 0, 1], [2, 2, 1]]])
    weights = np.array([0.5, -1.0, 2.0])
    values = weights[segments][..., None]  # each pixel holds its segment's weight
    images = np.zeros((1, 3, 2, 3))
    attribution = iw.Attribution(values, [0.0], data=images, segments=segments)
    assert attribution.feature_shape == (2, 3) and attribution.data.shape == (1, 3, 2, 3)
    ids, segment_weights = attribution.segment_values(0, 0)
    assert ids.tolist() == [0, 1, 2] and segment_weights.tolist() == weights.tolist()
    with pytest.raises(ValueError, match="constant within each segment; instance 0"):
        iw.Attribution(values + np.arange(6).reshape(1, 2, 3, 1), [0.0], segments=segments)
    with pytest.raises(TypeError, match="segments must be an integer array"):
        iw.Attribution(values, [0.0], segments=segments.astype(float))
    with pytest.raises(ValueError, match=r"segments of shape \(n_instances, H, W\)"):
        iw.Attribution(values, [0.0], segments=segments[:, :1])
    with pytest.raises(ValueError, match="has no segments"):
        iw.Attribution(values, [0.0]).segment_values(0, 0)
    with pytest.raises(ValueError, match=r"data must have shape \(n_instances, \*feature_shape\)"):
        iw.Attribution(values, [0.0], data=np.zeros((1, 3, 2, 4)))
