"""ImageData, the image views and ImageExplorer in Python: what travels, what is checked, what is computed on
request only; the agreement between methods against its definition."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import interpretwidgets as iw
from interpretwidgets._transfer import decode, unpack
from interpretwidgets.kernels.honesty import rank_agreement
from interpretwidgets.widgets._image_data import display_images
from tests._requests import ask, sent
from tests.image_models import trained_digits


@pytest.fixture(scope="module")
def digits():
    model, images, labels, test = trained_digits()
    return model, images[test[:4]], labels[test[:4]]


@pytest.fixture(scope="module")
def attribution(digits):
    model, images, _ = digits
    return iw.explain_image(model, images, "integrated_gradients", target=[0, 3, 7], n_steps=16)


def test_rank_agreement_by_hand():
    a = np.array([[0.1, -0.4], [0.9, 0.0]])
    same_order = np.array([[1.0, 2.0], [3.0, 0.5]])  # magnitudes in a's order: 0.0 < 0.1 < 0.4 < 0.9
    reversed_order = np.array([[3.0, 2.0], [0.5, 4.0]])
    agreement = rank_agreement([a, same_order, reversed_order], top_fraction=0.5)
    np.testing.assert_allclose(agreement.spearman[0, 1], 1.0)
    np.testing.assert_allclose(agreement.spearman[0, 2], -1.0)
    # top half (2 pixels) by magnitude: a → {0.9, -0.4} = pixels {2, 1}; same_order → {3.0, 2.0} = {2, 1};
    # reversed_order → {4.0, 3.0} = pixels {3, 0}
    np.testing.assert_allclose(agreement.top_overlap, [[1, 1, 0], [1, 1, 0], [0, 0, 1]])
    constant = rank_agreement([a, np.ones((2, 2))])
    assert np.isnan(constant.spearman[0, 1]) and np.isnan(constant.spearman[1, 1])
    with pytest.raises(ValueError, match="same shape"):
        rank_agreement([a, np.ones(3)])
    with pytest.raises(ValueError, match=r"top_fraction must be a number in \(0, 1\]; received 0"):
        rank_agreement([a], top_fraction=0)


def test_rank_agreement_equals_scipy_spearman_of_magnitudes():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(0)
    maps = [rng.standard_normal((6, 7)) for _ in range(3)]
    agreement = rank_agreement(maps)
    for i in range(3):
        for j in range(3):
            expected = spearmanr(np.abs(maps[i]).ravel(), np.abs(maps[j]).ravel()).statistic
            np.testing.assert_allclose(agreement.spearman[i, j], expected, atol=1e-12)


def test_display_images_keep_uint8_scale_unit_floats_and_stretch_the_rest():
    grey = np.linspace(0, 1, 12).reshape(1, 1, 3, 4)
    shown = display_images(grey)
    assert shown.shape == (1, 3, 4, 3) and shown.dtype == np.uint8
    assert shown[0, 0, 0].tolist() == [0, 0, 0] and shown[0, 2, 3].tolist() == [255, 255, 255]
    normalised = (grey - 0.5) / 0.25  # ImageNet-style normalisation: stretched per image
    np.testing.assert_array_equal(display_images(normalised), shown)
    rgb = np.arange(24, dtype=np.uint8).reshape(1, 3, 2, 4)
    np.testing.assert_array_equal(display_images(rgb)[0, 1, 2], rgb[0, :, 1, 2])
    with pytest.raises(ValueError, match=r"1 \(grey\) or 3 \(RGB\) channels; received 2"):
        display_images(np.zeros((1, 2, 4, 4)))


def test_a_map_travels_as_float16_of_the_channel_sum_scaled_by_its_peak(attribution):
    data = iw.ImageData.of(attribution)
    assert iw.ImageData.of(attribution) is data  # views of one attribution share one data widget
    assert (data.n_instances, data.height, data.width, data.output_names) == (
        4,
        32,
        32,
        ["class 0", "class 3", "class 7"],
    )
    messages = sent(data)
    ask(data, "map", instance=2, output=1, method="integrated_gradients")
    ((content, buffers),) = messages
    assert content["content"]["map"]["dtype"] == "float16"
    assert [len(memoryview(b).cast("B")) for b in buffers] == [32 * 32 * 2]  # binary, never JSON
    reply = unpack(content, buffers)["content"]
    expected = attribution.values[2, ..., 1].sum(axis=0)  # one channel here; the sum keeps completeness
    shown = decode(reply["map"]) * reply["peak"]
    np.testing.assert_allclose(shown, expected, atol=1e-3 * np.abs(expected).max())
    assert reply["peak"] == pytest.approx(np.abs(expected).max())
    assert reply["gap"] == pytest.approx(attribution.convergence_delta[2, 1])
    assert reply["base"] == pytest.approx(attribution.base_values[2, 1])
    assert reply["segments"] is None and reply["summed_channels"] is False  # one channel: nothing summed
    image = data._image({"instance": 2})["image"]
    np.testing.assert_array_equal(decode(image), display_images(attribution.data)[2])


def test_superpixel_maps_send_their_segments(digits):
    model, images, _ = digits
    lime = iw.explain_image(model, images[:1], "lime", target=3, n_samples=100, segmentation="slic")
    reply = iw.ImageData.of(lime)._map({"instance": 0, "output": 0})
    segments = decode(reply["segments"])
    np.testing.assert_array_equal(segments, lime.segments[0])
    ids, weights = lime.segment_values(0, 0)
    shown = decode(reply["map"]) * reply["peak"]
    for segment, weight in zip(ids, weights, strict=True):
        np.testing.assert_allclose(shown[segments == segment], weight, atol=1e-3 * reply["peak"])


def test_bad_requests_are_error_replies_and_an_image_view_checks_its_arguments(attribution):
    data = iw.ImageData.of(attribution)
    messages = sent(data)
    ask(data, "map", instance=9, output=0)
    ask(data, "map", instance=0, output=0, method="lime")
    assert [m[0]["iw"] for m in messages] == ["error", "error"]
    assert "instance must be in 0..3; received 9" in messages[0][0]["error"]
    assert "method must be one of 'integrated_gradients'; received 'lime'" in messages[1][0]["error"]
    with pytest.raises(ValueError, match=r"output must be in 0..2; received 3"):
        iw.ImageView(attribution, output=3)
    with pytest.raises(ValueError, match=r"opacity must be in \[0, 1\]; received 1.5"):
        iw.ImageView(attribution, opacity=1.5)
    with pytest.raises(ValueError, match="sign must be one of 'all', 'positive', 'negative', 'absolute'"):
        iw.ImageView(attribution).sign = "both"
    with pytest.raises(TypeError, match=r"Attribution of images .* received ndarray"):
        iw.ImageView(np.zeros((1, 1, 4, 4)))
    tabular = iw.Attribution(np.zeros((2, 3, 1)), [0.0], data=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="an image view needs an attribution over images"):
        iw.ImageView(tabular)


def test_image_explorer_computes_each_map_on_request_and_links_every_view(digits):
    model, images, _ = digits
    explorer = iw.ImageExplorer(model, images, methods=["saliency", "integrated_gradients"],
                                options={"integrated_gradients": {"n_steps": 8}})  # fmt: skip
    data, selection = explorer.image_data, explorer.selection
    with torch.no_grad():
        predicted = int(model(torch.as_tensor(images[:1])).argmax())
    assert (selection.instance, selection.output, selection.method) == (0, predicted, "saliency")
    assert data.computed == ()  # nothing computed before a view asks
    for view in (explorer.strip, explorer.view, explorer.comparison):
        assert view.selection is selection and view.data is data
    messages = sent(data)
    ask(data, "map", instance=1, output=4, method="integrated_gradients")
    assert data.computed == (("integrated_gradients", 1, 4),)
    assert messages[0][0]["iw"] == "reply"
    direct = iw.explain_image(model, images[1:2], "integrated_gradients", target=4, n_steps=8)
    np.testing.assert_allclose(data.pixel_map("integrated_gradients", 1, 4), direct.values[0, ..., 0].sum(axis=0))
    ask(data, "agreement", instance=1, output=4)
    assert data.computed == (("integrated_gradients", 1, 4), ("saliency", 1, 4))
    reply = unpack(*messages[-1])["content"]
    assert reply["methods"] == ["saliency", "integrated_gradients"]
    expected = rank_agreement([data.pixel_map(m, 1, 4) for m in reply["methods"]])
    np.testing.assert_allclose(decode(reply["spearman"]), expected.spearman, rtol=1e-6)
    explorer.view.instance = 2  # Python sets the selection through any view
    assert selection.instance == 2 and explorer.comparison.instance == 2
    with pytest.raises(ValueError, match=r"output must be in 0..9; received 10"):
        selection.output = 10
    with pytest.raises(
        ValueError, match=r"method must be one that these views can show \('saliency', 'integrated_gradients'\)"
    ):
        selection.method = "bogus"
    assert selection.method == "saliency" and explorer.view.method == "saliency"


def test_image_explorer_checks_its_arguments_before_any_work(digits):
    model, images, _ = digits
    with pytest.raises(ValueError, match=r"image method must be one of .*received 'magic'"):
        iw.ImageExplorer(model, images, methods=["magic"])
    with pytest.raises(ValueError, match=r"class_names must have one name per class of the model \(10\); received 2"):
        iw.ImageExplorer(model, images, class_names=["a", "b"])
    with pytest.raises(ValueError, match="options must not set 'target'"):
        iw.ImageExplorer(model, images, options={"target": 3})
    with pytest.raises(ValueError, match="options must not set 'method'"):
        iw.ImageExplorer(model, images, options={"saliency": {"method": "lime"}})
    with pytest.raises(TypeError, match=r"ImageExplorer needs a torch.nn.Module; received str"):
        iw.ImageExplorer("model", images)


def test_top_overlap_keeps_ties_together_whatever_their_position():
    # two superpixel maps, the same segments in the same order (the second nudged by 1e-9): the top 10 % must
    # agree fully, however the tied pixels of the threshold segment lie in the image
    segments = np.repeat(np.arange(10), 10).reshape(10, 10)
    weights = np.random.default_rng(0).random(10)
    first, second = weights[segments], (weights + 1e-9 * np.arange(10))[segments]
    np.testing.assert_allclose(rank_agreement([first, second]).top_overlap, 1.0)
    # a saliency-like map of mostly zeros against a map ranking those zeros: the tied zeros are all in or all out
    sparse = np.zeros(100)
    sparse[:5] = 1.0
    assert rank_agreement([sparse, np.arange(100.0)[::-1]], top_fraction=0.5).top_overlap[0, 1] == 1.0


def test_the_explorers_honesty_panel_answers_agreement_curves_and_baselines_on_request(digits):
    from interpretwidgets.kernels.honesty import faithfulness_curves

    model, images, _ = digits
    explorer = iw.ImageExplorer(model, images, methods=["integrated_gradients", "saliency"], options={"n_steps": 8})
    data = explorer.honesty.data
    assert explorer.image_data.computed == ()  # the panel computes nothing before it is asked
    assert (data.gradient_method, data.baselines) == ("integrated_gradients", ["zeros", "blur", "uniform"])
    messages = sent(data)
    ask(data, "curves", instance=1, output=3, method="integrated_gradients")
    reply = unpack(*messages[-1])["content"]
    attribution, row, column = explorer.image_data.attribution_for("integrated_gradients", 1, 3)
    direct = faithfulness_curves(model, images[1:2], attribution, output=column, instances=[row], progress=False)
    np.testing.assert_allclose(decode(reply["deletion"]), direct.deletion[0], rtol=1e-5)
    assert reply["deletion_auc"] == pytest.approx(float(direct.deletion_auc[0]))
    ask(data, "agreement", instance=1, output=3)
    reply = unpack(*messages[-1])["content"]
    expected = rank_agreement([explorer.image_data.pixel_map(m, 1, 3) for m in ("integrated_gradients", "saliency")])
    np.testing.assert_allclose(decode(reply["kendall"]), expected.kendall, rtol=1e-6)
    ask(data, "baseline", instance=1, output=3, baseline="blur")
    reply = messages[-1][0]["content"]
    blurred = iw.explain_image(model, images[1:2], "integrated_gradients", target=3, baseline="blur", n_steps=8)
    zeros = explorer.image_data.pixel_map("integrated_gradients", 1, 3)
    expected = rank_agreement([zeros, blurred.values[0, ..., 0].sum(axis=0)])
    assert reply["spearman"] == pytest.approx(float(expected.spearman[0, 1]))
    assert reply["total_other"] == pytest.approx(float(blurred.values.sum()), rel=1e-5)
    ask(data, "baseline", instance=1, output=3, baseline="sepia")
    assert (
        messages[-1][0]["iw"] == "error"
        and "baseline must be one of 'zeros', 'blur', 'uniform'" in messages[-1][0]["error"]
    )
