"""explain_image: each method against its library called directly on the same model, images, targets, baseline
and seed; completeness; borrowed models; bad input named before any model call. A CNN trained in a second on
sklearn's digits, and a random colour CNN on scikit-image's cat photo."""

from __future__ import annotations

import contextlib
import copy
import types
import warnings

import numpy as np
import pytest
import shap
import torch
from captum.attr import (
    DeepLift,
    GradientShap,
    IntegratedGradients,
    LayerAttribution,
    LayerGradCam,
    NoiseTunnel,
    Occlusion,
    Saliency,
)
from lime.lime_image import LimeImageExplainer
from lime.wrappers.scikit_image import SegmentationAlgorithm

import interpretwidgets as iw
from interpretwidgets.kernels import _gradient_paths as paths
from interpretwidgets.kernels import gradients
from interpretwidgets.kernels._baselines import baseline_images
from interpretwidgets.kernels._precision import exact_products
from interpretwidgets.kernels._random import seeded
from interpretwidgets.kernels.image import METHODS
from tests.image_models import colour_net, one_thread, photo, trained_digits

TARGETS = [3, 8]


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    with one_thread():  # small models: torch's threads only wait on each other on shared cores
        yield


@pytest.fixture(scope="module")
def digits():
    model, images, _, test = trained_digits()
    return model, images[test[:3]], images[:40]


def f(model, images):
    with torch.no_grad():
        return model(torch.as_tensor(images)).double().numpy()


def test_the_digits_cnn_is_accurate():
    model, images, labels, test = trained_digits()
    assert (f(model, images[test]).argmax(axis=1) == labels[test]).mean() > 0.9


# -- each method against its library ------------------------------------------------------------------------------


def test_integrated_gradients_matches_captum_is_complete_and_keeps_its_delta(digits):
    model, x, _ = digits
    a = iw.explain_image(model, x, target=TARGETS, n_steps=32)
    xt = torch.from_numpy(x)
    for j, target in enumerate(TARGETS):
        attr, delta = IntegratedGradients(model).attribute(
            xt, baselines=torch.zeros_like(xt), target=target, n_steps=32, return_convergence_delta=True
        )
        np.testing.assert_allclose(a.values[..., j], attr.numpy(), atol=1e-6)
        np.testing.assert_allclose(a.convergence_delta[:, j], delta.numpy(), atol=1e-5)
    assert a.values.shape == (3, 1, 32, 32, 2) and a.data.shape == (3, 1, 32, 32)
    assert a.output_names == ("class 3", "class 8") and a.method == "integrated_gradients"
    assert a.output_space == "raw" and "all-zeros" in a.baseline
    np.testing.assert_allclose(a.base_values, f(model, np.zeros((1, 1, 32, 32), np.float32))[:, TARGETS].repeat(3, 0),
                               atol=1e-5)  # fmt: skip
    # completeness: Σ values = f(x) − f(baseline) up to the delta, which is small
    gap = a.output_values - f(model, x)[:, TARGETS]
    np.testing.assert_allclose(gap, a.convergence_delta, atol=1e-4)
    assert np.abs(gap).max() < 0.02 * np.abs(a.values).sum(axis=(1, 2, 3)).min()


def test_integrated_gradients_is_captum_s_whatever_the_passes(digits, monkeypatch):
    """The same values when the path's steps go all in one pass, a few steps of every image a pass, one step a
    pass (points of the baseline's own shape), or in groups of whole images."""
    model, x, _ = digits
    xt = torch.from_numpy(x)
    expected = np.stack([IntegratedGradients(model).attribute(xt, target=t, n_steps=20).numpy() for t in TARGETS], -1)
    assert paths._groups(len(x), 20, paths.gradient_rows(model, xt, 0)) == (3, 20)
    _close_to(iw.explain_image(model, x, target=TARGETS, n_steps=20).values, expected)
    for rows, groups in ((7, (3, 2)), (3, (3, 1)), (45, (2, 20))):
        monkeypatch.setattr(paths, "gradient_rows", lambda *args, rows=rows: rows)
        assert paths._groups(len(x), 20, rows) == groups
        _close_to(iw.explain_image(model, x, target=TARGETS, n_steps=20).values, expected)


@pytest.mark.parametrize(
    ("n", "evaluations", "fits", "most"),
    [(10, 50, 8, None), (3, 20, 7, None), (3, 20, 45, None), (7, 4, 9, None), (1, 5, 1, None), (10, 50, 8, 3),
     (7, 4, 9, 1), (5, 3, 100, 2), (4, 50, 17, 0)],
)  # fmt: skip
def test_the_passes_take_every_evaluation_of_every_image_once_and_fill_each_pass(n, evaluations, fits, most):
    passes = paths._passes(n, evaluations, fits, most)
    taken = np.zeros((n, evaluations), dtype=int)
    for p in passes:
        taken[p.images, p.steps] += 1
        assert p.points <= max(fits, 1)
        assert p.images.stop - p.images.start <= max(1, most if most is not None else n)
    assert (taken == 1).all()
    if most == 3:  # groups of three images, two samples of each a pass (six of the eight rows)
        assert [(p.images, p.steps.stop - p.steps.start) for p in passes[:2]] == [(slice(0, 3), 2)] * 2
    # a last, smaller group of images takes more evaluations a pass than the full groups before it
    if (n, evaluations, fits, most) == (10, 50, 8, None):
        assert [(p.images, p.steps.stop - p.steps.start) for p in (passes[0], passes[-1])] == [
            (slice(0, 8), 1), (slice(8, 10), 2)
        ]  # fmt: skip
        assert len(passes) == 50 + 13  # 8 images one step a pass, then 2 images four steps a pass (the last two)


class PixelSum(torch.nn.Module):
    """Each channel's pixels summed: autograd saves nothing for it, and its input gradient is a broadcast."""

    def forward(self, x):
        return x.sum(dim=(2, 3))


def test_a_model_with_more_activations_an_image_takes_fewer_images_a_pass(monkeypatch):
    """On a CPU a pass holds, for each image, the activations autograd saves and the input's gradient within
    PASS_MEMORY: four times the channels after the input (which the convolution saves too), 3.4 times the bytes an
    image, under a third of the images a pass; a model that saves nearly nothing is counted as saving its input
    all the same (custom autograd functions may save what the hooks do not see)."""
    x = torch.rand(64, 1, 16, 16)

    def rows(channels):
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Conv2d(1, channels, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten())
        return paths.gradient_rows(gradients.scores(model), x, 0)

    monkeypatch.setattr(paths, "PASS_MEMORY", 2**20)
    few, many = rows(8), rows(32)
    assert 3 * many <= few <= 3.5 * many
    summed = torch.nn.Sequential(PixelSum(), torch.nn.Linear(1, 2))  # saves 4 bytes an image: the linear's input
    assert paths.gradient_rows(gradients.scores(summed), x, 0) == 2**20 // (2 * 256 * 4)


def test_measuring_a_pass_keeps_none_of_its_activations():
    """gradient_rows runs the model forward with autograd's saved-tensor hooks and no backward: every activation
    of those passes is freed with them (a graph node that kept its own output would be a C++ reference cycle)."""
    import gc
    import weakref

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Flatten()).eval()
    outputs = []
    handle = model[1].register_forward_hook(lambda module, inputs, output: outputs.append(weakref.ref(output)))
    try:
        paths.gradient_rows(gradients.scores(model), torch.rand(8, 1, 16, 16), 0)
    finally:
        handle.remove()
    gc.collect()
    assert len(outputs) == 2 and all(output() is None for output in outputs)  # a pass of one image, one of two


def test_a_model_s_passes_are_measured_once_per_image_size_and_forgotten_with_it():
    import gc
    import weakref

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Flatten()).eval()
    forwards = []
    model.register_forward_pre_hook(lambda module, inputs: forwards.append(len(inputs[0])))
    gc.collect()
    others = len(paths._HELD)  # the models of other tests that are still alive
    rows = paths.gradient_rows(gradients.scores(model), torch.rand(8, 1, 16, 16), 0)
    assert forwards == [2, 1]  # two images, then one: the measure
    assert paths.gradient_rows(gradients.scores(model), torch.rand(3, 1, 16, 16), 1) == rows
    assert forwards == [2, 1]  # another call, another wrapper, another class: the same model, measured already
    smaller = paths.gradient_rows(gradients.scores(model), torch.rand(3, 1, 8, 8), 0)
    assert forwards == [2, 1, 2, 1] and smaller > rows  # another image size: measured again
    gone = weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None and len(paths._HELD) == others  # the measure does not keep a model alive


class InputGradient(torch.nn.Module):
    """The gradient of the summed squares of its input, taken inside the forward pass (as energy-based and
    physics-informed models do)."""

    def forward(self, x):
        with torch.enable_grad():
            inner = x if x.requires_grad else x.detach().requires_grad_()
            (gradient,) = torch.autograd.grad((inner**2).sum(), inner, create_graph=True)
        return gradient


def test_measuring_a_pass_runs_a_model_that_takes_gradients_inside_its_forward():
    """The measuring pass's saved tensors are still there to unpack when the model's own forward runs backward."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(InputGradient(), torch.nn.Conv2d(1, 4, 3), torch.nn.Flatten()).eval()
    assert paths.gradient_rows(gradients.scores(model), torch.rand(8, 1, 16, 16), 0) > 1


class PassRecorder(torch.nn.Module):
    """Wraps a model; at each forward pass with gradients, counts how many of the earlier passes' inputs and
    input gradients are still alive (weak references: a pass's points, and the gradients autograd gives them)."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.earlier = []
        self.alive = []

    def forward(self, x):
        if torch.is_grad_enabled() and x.requires_grad:
            import gc
            import weakref

            gc.collect()
            self.alive.append(sum(ref() is not None for ref in self.earlier))
            # a view of the points (integrated gradients) or of GradientShap's buffer: the gradient only
            self.earlier.append(weakref.ref(x._base if x._base is not None and x._base.requires_grad else x))
            x.register_hook(lambda grad: self.earlier.append(weakref.ref(grad)))
        return self.model(x)


@pytest.mark.parametrize("method", ["integrated_gradients", "gradient_shap"])
def test_a_pass_s_points_and_gradients_are_freed_before_the_next_pass(digits, monkeypatch, method):
    """Nothing of a pass outlives it: its points (integrated gradients once kept one buffer of points for every
    pass) and its gradients (GradientShap held them in its loop while the next pass ran: a call's peak memory held
    two passes')."""
    model, x, background = digits
    recorder = PassRecorder(model)
    monkeypatch.setattr(paths, "gradient_rows", lambda *args: 6)  # passes of three steps of two images
    options = {"n_steps": 12} if method == "integrated_gradients" else {"n_samples": 12, "background": background}
    iw.explain_image(recorder, x[:2], method, target=3, **options)
    assert len(recorder.alive) == 4 and recorder.alive == [0, 0, 0, 0]


@pytest.mark.parametrize("method", ["integrated_gradients", "gradient_shap"])
def test_integrated_gradients_and_gradient_shap_show_progress_over_several_passes(digits, monkeypatch, capsys, method):
    model, x, background = digits
    options = {"n_steps": 8} if method == "integrated_gradients" else {"n_samples": 8, "background": background}
    monkeypatch.setattr(paths, "gradient_rows", lambda *args: 4)  # four points a pass: two for one image
    iw.explain_image(model, x[:1], method, target=3, **options)
    label = {"integrated_gradients": "Integrated gradients", "gradient_shap": "GradientShap"}[method]
    shown = capsys.readouterr().err
    assert f"{label}: 100%" in shown and "8/8" in shown
    monkeypatch.setattr(paths, "gradient_rows", lambda *args: 64)  # one pass: no bar unless asked for
    iw.explain_image(model, x[:1], method, target=3, **options)
    assert label not in capsys.readouterr().err


def test_gradient_shap_matches_captum_with_the_same_seed_over_the_background(digits):
    model, x, background = digits
    a = iw.explain_image(model, x, "gradient_shap", target=TARGETS, background=background, n_samples=20,
                         random_state=4)  # fmt: skip
    torch.manual_seed(4)
    np.random.seed(4)  # noqa: NPY002 - captum's GradientShap draws from numpy's global generator too
    xt, ref = torch.from_numpy(x), torch.from_numpy(background)
    method = GradientShap(model)
    for j, target in enumerate(TARGETS):
        expected = method.attribute(xt, baselines=ref, target=target, n_samples=20)
        np.testing.assert_allclose(a.values[..., j], expected.numpy(), atol=1e-6)
    np.testing.assert_allclose(a.base_values[0], f(model, background)[:, TARGETS].mean(0), atol=1e-5)
    np.testing.assert_allclose(a.convergence_delta, a.output_values - f(model, x)[:, TARGETS], atol=1e-6)
    assert "40 background images" in a.baseline


def _close_to(values, expected):
    """Equal up to float32 rounding: relative to the largest value (single values may sum to nearly nothing)."""
    np.testing.assert_allclose(values, expected, rtol=0, atol=1e-6 * np.abs(expected).max())


def test_gradient_shap_is_captum_s_draw_for_draw_in_one_pass_or_in_groups(digits, monkeypatch):
    """Without captum's NoiseTunnel (it draws zero noise for every pixel) the same baseline indices and path
    positions, so captum's GradientShap values: with every image's samples in one pass, with passes that take a
    few samples of every image, with groups of whole images, with the points gathered and lerped or mixed by a
    matrix product, and with groups of one image."""
    model, x, background = digits
    xt, ref = torch.from_numpy(x), torch.from_numpy(background)

    def explain():
        return iw.explain_image(model, x, "gradient_shap", target=TARGETS, background=background, n_samples=50,
                                random_state=0).values  # fmt: skip

    with seeded(0):
        expected = np.stack(
            [GradientShap(model).attribute(xt, baselines=ref, target=t, n_samples=50).numpy() for t in TARGETS], -1
        )
    assert paths._groups(len(x), 50, paths.gradient_rows(model, xt, 0)) == (3, 50)  # one pass
    _close_to(explain(), expected)
    # 5 samples of each of the 3 images a pass; two images' samples a pass, then the third's
    for rows, groups in ((16, (3, 5)), (120, (2, 50))):
        monkeypatch.setattr(paths, "gradient_rows", lambda *args, rows=rows: rows)
        assert paths._groups(len(x), 50, rows) == groups
        _close_to(explain(), expected)
    monkeypatch.setattr(paths, "MIX_TERMS", 64)  # points by a matrix product: 40 references, 2 images
    _close_to(explain(), expected)
    monkeypatch.setattr(paths, "SUMS_BUDGET", 0)  # room for one image's sums a group
    _close_to(explain(), expected)


def test_gradient_shap_on_a_model_whose_input_gradient_is_broadcast():
    """A model that first sums each channel's pixels gets a broadcast input gradient from autograd (stride 0)."""

    torch.manual_seed(0)
    model = torch.nn.Sequential(PixelSum(), torch.nn.Linear(1, 3)).eval()
    x = np.random.default_rng(0).random((2, 1, 8, 8)).astype(np.float32)
    inputs = torch.from_numpy(x).requires_grad_()
    assert torch.autograd.grad(model(inputs)[:, 1].sum(), inputs)[0].stride()[-1] == 0  # the case under test
    a = iw.explain_image(model, x, "gradient_shap", target=1, n_samples=6, random_state=0)
    with seeded(0):
        expected = GradientShap(model).attribute(torch.from_numpy(x), baselines=torch.zeros(1, 1, 8, 8), target=1,
                                                 n_samples=6)  # fmt: skip
    _close_to(a.values[..., 0], expected.detach().numpy())


def test_gradient_shap_with_one_baseline_per_image_is_captum_s_image_by_image(digits, monkeypatch):
    """Each image draws from its own baseline only: captum called image after image (targets outer) with that
    baseline as the set, draw for draw, in one pass or split."""
    model, x, _ = digits
    xt = torch.from_numpy(x)
    own = torch.full((1, 1, 32, 32), 0.25)

    def explain():
        return iw.explain_image(model, x, "gradient_shap", target=TARGETS, baseline=0.25, n_samples=20,
                                random_state=5).values  # fmt: skip

    with seeded(5):
        expected = np.stack([
            np.concatenate([GradientShap(model).attribute(xt[i : i + 1], baselines=own, target=t, n_samples=20)
                            .numpy() for i in range(len(x))]) for t in TARGETS
        ], -1)  # fmt: skip
    _close_to(explain(), expected)
    monkeypatch.setattr(paths, "gradient_rows", lambda *args: 8)  # 2 samples of each of the 3 images a pass
    _close_to(explain(), expected)


def test_deeplift_matches_captum_and_adds_up(digits):
    model, x, _ = digits
    a = iw.explain_image(model, x, "deeplift", target=TARGETS, baseline="blur")
    xt = torch.from_numpy(x)
    reference = torch.from_numpy(_blur(x))
    for j, target in enumerate(TARGETS):
        attr, delta = DeepLift(model).attribute(xt, baselines=reference, target=target, return_convergence_delta=True)
        np.testing.assert_allclose(a.values[..., j], attr.detach().numpy(), atol=1e-6)
        np.testing.assert_allclose(a.convergence_delta[:, j], delta.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(a.base_values, f(model, _blur(x))[:, TARGETS], atol=1e-5)
    np.testing.assert_allclose(a.output_values, f(model, x)[:, TARGETS], atol=1e-4)  # ReLU net: exact
    assert "blur (σ = 3.2 px)" in a.baseline


def _blur(x):
    from scipy.ndimage import gaussian_filter

    return np.stack([gaussian_filter(image, sigma=(0, 3.2, 3.2), mode="nearest") for image in x])


def test_saliency_and_smoothgrad_match_captum_and_say_they_are_not_additive(digits):
    model, x, _ = digits
    xt = torch.from_numpy(x)
    a = iw.explain_image(model, x, "saliency", target=TARGETS)
    for j, target in enumerate(TARGETS):
        np.testing.assert_allclose(a.values[..., j], Saliency(model).attribute(xt, target=target).numpy(), atol=1e-7)
    assert (a.values >= 0).all() and a.baseline.startswith("not additive: saliency is the gradient's magnitude")
    np.testing.assert_allclose(a.base_values, f(model, x)[:, TARGETS], atol=1e-6)
    assert a.convergence_delta is None

    s = iw.explain_image(model, x, "smoothgrad", target=TARGETS, n_samples=8, random_state=2)
    stdev = 0.15 * float(x.max() - x.min())
    torch.manual_seed(2)
    tunnel = NoiseTunnel(Saliency(model))
    for j, target in enumerate(TARGETS):
        expected = tunnel.attribute(xt, nt_type="smoothgrad", nt_samples=8, stdevs=stdev, target=target)
        np.testing.assert_allclose(s.values[..., j], expected.numpy(), atol=1e-6)
    assert "8 copies" in s.baseline and s.baseline.startswith("not additive")


def test_gradcam_matches_captum_on_the_last_conv_layer_upsampled(digits):
    model, x, _ = digits
    a = iw.explain_image(model, x, "gradcam", target=TARGETS)
    xt = torch.from_numpy(x)
    for j, target in enumerate(TARGETS):
        cam = LayerGradCam(model, model[2]).attribute(xt, target=target)
        expected = LayerAttribution.interpolate(cam, (32, 32), interpolate_mode="bilinear")[:, 0]
        np.testing.assert_allclose(a.values[..., j], expected.detach().numpy(), atol=1e-6)
    assert a.values.shape == (3, 32, 32, 2) and a.data.shape == (3, 1, 32, 32) and a.segments is None
    assert "layer '2'" in a.baseline
    first = iw.explain_image(model, x, "gradcam", target=3, layer="0")
    same = iw.explain_image(model, x, "gradcam", target=3, layer=model[0])
    np.testing.assert_array_equal(first.values, same.values)
    assert not np.allclose(first.values[..., 0], a.values[..., 0])


def test_occlusion_matches_captum_with_its_default_window(digits):
    model, x, _ = digits
    a = iw.explain_image(model, x[:2], "occlusion", target=TARGETS)
    xt = torch.from_numpy(x[:2])
    for j, target in enumerate(TARGETS):
        expected = Occlusion(model).attribute(xt, sliding_window_shapes=(1, 4, 4), strides=(1, 2, 2), target=target)
        np.testing.assert_allclose(a.values[..., j], expected.numpy(), atol=1e-5)
    assert "4×4 window (stride 2×2)" in a.baseline
    b = iw.explain_image(model, x[:1], "occlusion", target=3, window=(8, 6), stride=3, baseline="uniform")
    assert b.values.shape == (1, 1, 32, 32, 1) and "8×6 window (stride 3×3)" in b.baseline


def lime_direct(model, image, targets, n_samples, seed, segmentation_fn=None):
    """lime's own call: its explainer, its classifier loop (batch_size=10), hide_color=0."""
    channels = image.shape[0]

    def classify(batch):
        return f(model, np.ascontiguousarray(np.transpose(batch[..., :channels], (0, 3, 1, 2)), dtype=np.float32))

    lime_image = image[0] if channels == 1 else np.transpose(image, (1, 2, 0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LimeImageExplainer(random_state=seed).explain_instance(
            lime_image, classify, labels=targets, hide_color=0, top_labels=None, num_samples=n_samples,
            segmentation_fn=segmentation_fn, random_seed=seed, batch_size=10,
        )  # fmt: skip


def test_lime_gives_lime_s_own_weights_segments_and_intercepts(digits):
    model, x, _ = digits
    a = iw.explain_image(model, x[:2], "lime", target=TARGETS, n_samples=300, random_state=3)
    assert a.values.shape == (2, 32, 32, 2) and a.segments.shape == (2, 32, 32) and a.data.shape == (2, 1, 32, 32)
    for i in range(2):
        direct = lime_direct(model, x[i], TARGETS, 300, 3)
        np.testing.assert_array_equal(a.segments[i], direct.segments)
        for j, target in enumerate(TARGETS):
            ids, weights = a.segment_values(i, j)
            np.testing.assert_array_equal(ids, np.arange(direct.segments.max() + 1))
            np.testing.assert_allclose(weights, [w for _, w in sorted(direct.local_exp[target])], rtol=1e-5, atol=1e-5)
            assert a.base_values[i, j] == pytest.approx(direct.intercept[target], abs=1e-5)
            # the gap: the surrogate's prediction at the image (all superpixels on) less the model's
            surrogate = direct.intercept[target] + sum(w for _, w in direct.local_exp[target])
            assert a.convergence_delta[i, j] == pytest.approx(surrogate - f(model, x[i : i + 1])[0, target], abs=1e-5)
    assert a.baseline.startswith("intercept of LIME's local linear surrogate")


@pytest.mark.parametrize(("samples", "features"), [(1000, 12), (200, 3), (50, 80)])
def test_lime_s_surrogate_is_scikit_learn_s_ridge(samples, features):
    """lime's default surrogate, Ridge(alpha=1) with an intercept and sample weights, fitted, scored and used to
    predict on a LIME neighbourhood (on/off draws, the first all on, lime's kernel of the cosine distance); with
    more superpixels than samples too, where scikit-learn solves the dual problem instead."""
    from sklearn.linear_model import Ridge
    from sklearn.metrics import pairwise_distances

    from interpretwidgets.kernels._image_lime import _Ridge

    rng = np.random.default_rng(features)
    data = rng.integers(0, 2, (samples, features)).astype(float)
    data[0] = 1
    weights = np.sqrt(np.exp(-(pairwise_distances(data, data[:1], metric="cosine").ravel() ** 2) / 0.25**2))
    scores = data @ rng.normal(size=features) + rng.normal(scale=0.3, size=samples)
    ours, theirs = _Ridge().fit(data, scores, sample_weight=weights), Ridge(alpha=1.0)
    theirs.fit(data, scores, sample_weight=weights)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9, atol=1e-12)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-9, abs=1e-12)
    assert ours.score(data, scores, weights) == pytest.approx(theirs.score(data, scores, sample_weight=weights))
    np.testing.assert_allclose(ours.predict(data[:1]), theirs.predict(data[:1]), rtol=1e-9)
    # a constant target has no spread: scikit-learn's R² is then 1 for an exact fit. A power of two's weighted mean
    # is exact, so both fits are (another constant may leave a last bit, and R² is then 0)
    constant = np.full(samples, 2.0)
    assert _Ridge().fit(data, constant, weights).score(data, constant, weights) == 1.0
    assert Ridge(alpha=1.0).fit(data, constant, sample_weight=weights).score(data, constant, weights) == 1.0


@pytest.mark.parametrize("n_features", [3, 40])
@pytest.mark.parametrize("blank", [True, False])
def test_lime_s_perturbed_images_are_exact_by_product_and_by_gather(monkeypatch, n_features, blank):
    """Both ways of composing the perturbed images give each pixel exactly the image's or the hidden image's
    value, as the superpixel's draw says."""
    from interpretwidgets.kernels import _image_lime

    rng = np.random.default_rng(n_features)
    image = torch.from_numpy(rng.normal(size=(3, 20, 24)).astype(np.float32))
    hidden = torch.zeros_like(image) if blank else torch.from_numpy(rng.normal(size=(3, 20, 24)).astype(np.float32))
    segments = rng.permutation(np.arange(20 * 24) % n_features).reshape(20, 24)
    draws = rng.integers(0, 2, (7, n_features))
    expected = np.where(draws[:, segments][:, None].astype(bool), image.numpy(), hidden.numpy())
    for most in (0, 64):  # every draw gathered, then every draw by the product
        monkeypatch.setattr(_image_lime, "PRODUCT_FEATURES", most)
        compose = _image_lime._composer(image, hidden, segments, n_features)
        out = compose(torch.as_tensor(draws, dtype=torch.float32), torch.empty((7, 3, 20, 24)))
        np.testing.assert_array_equal(out.numpy(), expected)


@contextlib.contextmanager
def matmul_precision(precision):
    """torch's float32 matmul precision set for the block, then every setting put back as it was: the legacy one
    and, where torch has them, the per-backend ones it also sets (left at "ieee" rather than "none" otherwise)."""
    backends = [b for b in (torch.backends, torch.backends.mkldnn.matmul, torch.backends.cuda.matmul)
                if hasattr(b, "fp32_precision")]  # fmt: skip
    saved = [b.fp32_precision for b in backends]
    legacy = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision(precision)
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(legacy)
        for backend, value in zip(backends, saved, strict=True):
            backend.fp32_precision = value


@pytest.mark.parametrize("precision", ["medium", "high"])
def test_no_matrix_product_mixes_pixels_where_onednn_may_round_float32(precision, monkeypatch):
    """torch.set_float32_matmul_precision("medium") lets oneDNN run a CPU's float32 products in bfloat16 ("high":
    TF32), and so does oneDNN's own ONEDNN_DEFAULT_FPMATH_MODE: LIME's perturbed images and GradientShap's points
    are then gathered, and stay exact."""
    from interpretwidgets.kernels import _image_lime

    rng = np.random.default_rng(0)
    image = torch.from_numpy(rng.normal(size=(3, 20, 24)).astype(np.float32))
    segments = rng.permutation(np.arange(20 * 24) % 5).reshape(20, 24)
    photos = torch.from_numpy(rng.normal(size=(2, 3, 20, 24)).astype(np.float32))
    drawn, alpha = torch.zeros((3, 2), dtype=torch.long), torch.full((3, 2), 0.5)

    def ways():
        return (
            _image_lime._composer(image, torch.zeros_like(image), segments, 5).__name__,
            paths._shap_points(photos, photos[:1], drawn, alpha, [torch.empty(6, 3, 20, 24)]).__name__,
        )

    cpu = torch.device("cpu")
    assert exact_products(cpu) and ways() == ("product", "product")
    with matmul_precision(precision):
        assert not exact_products(cpu) and ways() == ("gather", "lerp")
    assert exact_products(cpu)
    monkeypatch.setenv("ONEDNN_DEFAULT_FPMATH_MODE", "BF16")
    assert not exact_products(cpu) and ways() == ("gather", "lerp")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_lime_s_perturbed_images_are_exact_on_a_gpu_that_multiplies_in_tf32():
    """A GPU may multiply float32 matrices in TF32 (it rounds the pixels): there the draws are gathered."""
    from interpretwidgets.kernels import _image_lime

    rng = np.random.default_rng(0)
    image = torch.from_numpy(rng.normal(size=(3, 20, 24)).astype(np.float32)).cuda()
    segments = rng.permutation(np.arange(20 * 24) % 5).reshape(20, 24)
    draws = rng.integers(0, 2, (7, 5))
    expected = np.where(draws[:, segments][:, None].astype(bool), image.cpu().numpy(), 0.0)
    with matmul_precision("high"):
        compose = _image_lime._composer(image, torch.zeros_like(image), segments, 5)
        out = compose(torch.as_tensor(draws, dtype=torch.float32).cuda(), torch.empty((7, 3, 20, 24)).cuda())
    np.testing.assert_array_equal(out.cpu().numpy(), expected)


def test_lime_hides_superpixels_with_the_baseline_s_pixels(digits):
    """With baseline="blur" the hidden superpixels show the blurred image: lime's own call whose classifier puts
    the blurred pixels where lime hid them (hide_color=NaN marks them) gives the same weights."""
    model, x, _ = digits
    a = iw.explain_image(model, x[0], "lime", target=3, n_samples=200, baseline="blur", random_state=2)
    blurred = baseline_images("blur", x[:1], None, 2).images[0]

    def classify(batch):
        gray = batch[..., 0]
        return f(model, np.where(np.isnan(gray), blurred[0], gray)[:, None].astype(np.float32))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = LimeImageExplainer(random_state=2).explain_instance(
            x[0, 0], classify, labels=(3,), hide_color=np.nan, top_labels=None, num_samples=200, random_seed=2,
            batch_size=10,
        )  # fmt: skip
    np.testing.assert_array_equal(a.segments[0], direct.segments)
    np.testing.assert_allclose(a.segment_values(0, 0)[1], [w for _, w in sorted(direct.local_exp[3])], atol=1e-5)


def test_lime_on_a_colour_photo_with_slic_is_lime_s_and_deterministic():
    model, image = colour_net(), photo(64)
    a = iw.explain_image(model, image, "lime", target=1, n_samples=200, segmentation="slic", random_state=7)
    slic = SegmentationAlgorithm("slic", n_segments=50, compactness=10, start_label=0)
    direct = lime_direct(model, image, [1], 200, 7, slic)
    np.testing.assert_array_equal(a.segments[0], direct.segments)
    np.testing.assert_allclose(a.segment_values(0, 0)[1], [w for _, w in sorted(direct.local_exp[1])], atol=1e-6)
    again = iw.explain_image(model, image, "lime", target=1, n_samples=200, segmentation="slic", random_state=7)
    np.testing.assert_array_equal(a.values, again.values)
    blocks = np.arange(64)[:, None] // 16 * 10 + np.arange(64) // 16 + 5  # 16 squares, ids 5..38
    custom = iw.explain_image(model, image, "lime", target=1, n_samples=50, segmentation=lambda img: blocks)
    assert np.unique(custom.segments).tolist() == list(range(16))  # renumbered 0..m-1


def test_shap_gradient_matches_gradient_explainer_image_by_image(digits):
    model, x, background = digits
    a = iw.explain_image(model, x[:2], "shap_gradient", target=TARGETS, background=background[:10], n_samples=16,
                         random_state=5)  # fmt: skip
    explainer = shap.GradientExplainer(model, torch.from_numpy(background[:10]))
    for i in range(2):
        direct = np.asarray(explainer.shap_values(torch.from_numpy(x[i : i + 1]), nsamples=16, rseed=5))
        np.testing.assert_allclose(a.values[i], direct[0][..., TARGETS], atol=1e-6)
    np.testing.assert_allclose(a.base_values[0], f(model, background[:10])[:, TARGETS].mean(0), atol=1e-5)
    assert a.convergence_delta.shape == (2, 2)


def test_shap_deep_matches_deep_explainer_and_adds_up(digits):
    model, x, background = digits
    a = iw.explain_image(model, x, "shap_deep", target=TARGETS, background=background[:10])
    direct = np.asarray(shap.DeepExplainer(model, torch.from_numpy(background[:10])).shap_values(torch.from_numpy(x)))
    np.testing.assert_allclose(a.values, direct[..., TARGETS], atol=1e-5)
    np.testing.assert_allclose(a.output_values, f(model, x)[:, TARGETS], atol=1e-4)
    assert np.abs(a.convergence_delta).max() < 1e-4 and "DeepSHAP" in a.baseline


def test_shap_deep_on_an_unsupported_module_names_shap_gradient():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.GroupNorm(2, 4), torch.nn.SiLU(),
                                torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 3)).eval()  # fmt: skip
    images = np.random.default_rng(0).uniform(size=(2, 1, 8, 8)).astype(np.float32)
    with pytest.raises(ValueError, match=r"modules it has no rule for: GroupNorm, SiLU.*method='shap_gradient'"):
        iw.explain_image(model, images, "shap_deep", target=0)
    assert iw.explain_image(model, images, "shap_gradient", target=0, n_samples=8).values.shape == (2, 1, 8, 8, 1)


# -- targets, baselines, output space ----------------------------------------------------------------------------


def test_targets_default_to_every_class_or_the_predicted_ones_and_take_names(digits):
    model, x, _ = digits
    a = iw.explain_image(model, x, "saliency")
    assert a.n_outputs == 10 and a.output_names[0] == "class 0"
    names = [f"digit {i}" for i in range(10)]
    b = iw.explain_image(model, x, "saliency", target=["digit 8", 2], output_names=names)
    assert b.output_names == ("digit 8", "digit 2")
    np.testing.assert_array_equal(b.values[..., 1], a.values[..., 2])

    torch.manual_seed(0)
    wide = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(32 * 32, 50)).eval()
    c = iw.explain_image(wide, x, "saliency")
    predicted = np.unique(f(wide, x).argmax(axis=1))
    assert c.output_names == tuple(f"class {p}" for p in predicted)


def test_baselines_zeros_blur_uniform_mean_and_arrays(digits):
    model, x, background = digits
    one = x[:1]

    def base(**kwargs):
        return iw.explain_image(model, one, target=3, n_steps=8, **kwargs)

    f3 = lambda images: f(model, images)[:, 3]  # noqa: E731
    assert base().base_values[0, 0] == pytest.approx(f3(np.zeros_like(one))[0], abs=1e-5)
    assert base(baseline="blur").base_values[0, 0] == pytest.approx(f3(_blur(one))[0], abs=1e-5)
    mean = background.mean(axis=0, keepdims=True)
    assert base(baseline="mean", background=background).base_values[0, 0] == pytest.approx(f3(mean)[0], abs=1e-5)
    assert base(baseline=0.5).base_values[0, 0] == pytest.approx(f3(np.full_like(one, 0.5))[0], abs=1e-5)
    image = np.full((1, 32, 32), 0.25, np.float32)
    assert base(baseline=image).base_values[0, 0] == pytest.approx(f3(image[None])[0], abs=1e-5)
    noise = np.random.default_rng(9).uniform(one.min(), one.max(), size=(1, 32, 32))
    uniform = base(baseline="uniform", random_state=9)
    assert uniform.base_values[0, 0] == pytest.approx(f3(noise[None].astype(np.float32))[0], abs=1e-5)
    assert "uniform noise" in uniform.baseline and "(seed 9)" in uniform.baseline
    # per-image baselines for a method that expects a set: each image against its own blur
    g = iw.explain_image(model, x[:2], "gradient_shap", target=3, baseline="blur", n_samples=8)
    np.testing.assert_allclose(g.base_values[:, 0], f3(_blur(x[:2])), atol=1e-5)


def test_an_output_object_with_logits_is_explained_by_its_logits(digits):
    model, x, _ = digits

    class HuggingFaceStyle(torch.nn.Module):  # returns an object with .logits, as transformers image models do
        def __init__(self):
            super().__init__()
            self.net = model

        def forward(self, pixel_values):
            return types.SimpleNamespace(logits=self.net(pixel_values))

    a = iw.explain_image(HuggingFaceStyle(), x, target=TARGETS, n_steps=8)
    np.testing.assert_allclose(a.values, iw.explain_image(model, x, target=TARGETS, n_steps=8).values, atol=1e-7)


def test_probabilities_are_explained_as_probabilities(digits):
    model, x, _ = digits
    softmax = torch.nn.Sequential(model, torch.nn.Softmax(dim=1))
    a = iw.explain_image(softmax, x, "saliency", target=0)
    assert a.output_space == "probability"


# -- input layouts, dtypes and devices ---------------------------------------------------------------------------


def test_layouts_dtypes_and_tensors_give_the_same_explanation(digits):
    model, x, _ = digits
    reference = iw.explain_image(model, x, "saliency", target=3)
    for same in (x[:, 0], list(x), torch.from_numpy(x), torch.from_numpy(x).requires_grad_(),
                 [torch.from_numpy(image) for image in x]):  # fmt: skip
        np.testing.assert_allclose(iw.explain_image(model, same, "saliency", target=3).values, reference.values,
                                   atol=1e-6)  # fmt: skip
    lent = torch.from_numpy(x.copy()).requires_grad_()
    iw.explain_image(model, lent, "saliency", target=3)
    assert lent.requires_grad and lent.grad is None and np.array_equal(lent.detach().numpy(), x)
    one = iw.explain_image(model, x[0, 0], "saliency", target=3)  # one grayscale (H, W) image
    np.testing.assert_allclose(one.values, reference.values[:1], atol=1e-6)
    # uint8 pixels are scaled to [0, 1]: the documented fix-up
    pixels = (x * 255).round().astype(np.uint8)
    scaled = iw.explain_image(model, pixels, "saliency", target=3)
    np.testing.assert_allclose(scaled.data, pixels / 255.0, atol=1e-7)
    np.testing.assert_allclose(scaled.values, iw.explain_image(model, pixels / 255.0, "saliency", target=3).values,
                               atol=1e-6)  # fmt: skip


def test_images_go_to_the_model_s_dtype_and_device(digits):
    model, x, _ = digits
    double = copy.deepcopy(model).double()
    a = iw.explain_image(double, x, target=3, n_steps=8)  # float32 images, float64 model
    b = iw.explain_image(model, x, target=3, n_steps=8)
    np.testing.assert_allclose(a.values, b.values, atol=1e-5)
    assert next(double.parameters()).dtype == torch.float64


@pytest.mark.parametrize("method", ["integrated_gradients", "gradient_shap"])
def test_a_bfloat16_model_is_explained_in_bfloat16(digits, method):
    """numpy has no bfloat16: the gradients are widened on their way out (a bfloat16 model on a GPU is common)."""
    model, x, background = digits
    options = {"n_steps": 8} if method == "integrated_gradients" else {"n_samples": 8, "background": background}
    half = copy.deepcopy(model).to(torch.bfloat16)
    a = iw.explain_image(half, x, method, target=3, **options)
    b = iw.explain_image(model, x, method, target=3, **options)
    assert a.values.dtype == np.float64 and np.isfinite(a.values).all()
    # bfloat16 keeps 8 bits of mantissa: the same map, to a few per cent of its largest value
    np.testing.assert_allclose(a.values, b.values, atol=0.05 * np.abs(b.values).max())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("method", METHODS)
def test_a_model_on_the_gpu_explains_images_given_on_the_cpu(digits, method):
    model, x, background = digits
    gpu = copy.deepcopy(model).cuda()
    settings = {"target": TARGETS, "background": background[:10], "n_samples": 16, "random_state": 0}
    if method in ("saliency", "gradcam", "occlusion", "integrated_gradients", "deeplift"):
        settings.pop("n_samples")
    a = iw.explain_image(gpu, torch.from_numpy(x[:2]), method, **settings)
    b = iw.explain_image(model, x[:2], method, **settings)
    assert a.values.shape == b.values.shape and next(gpu.parameters()).is_cuda
    if method not in ("gradient_shap", "smoothgrad", "shap_gradient"):  # the GPU draws its own noise
        np.testing.assert_allclose(a.values, b.values, atol=1e-3, rtol=1e-3)


# -- borrowed, not changed ---------------------------------------------------------------------------------------

BUDGETS = {"gradient_shap": 4, "smoothgrad": 4, "lime": 50, "shap_gradient": 4}


@pytest.mark.parametrize("method", METHODS)
def test_every_method_returns_the_model_as_it_found_it(digits, method):
    model, x, background = digits
    model = copy.deepcopy(model)
    model.train()  # lent in train mode, with a frozen layer, a stale gradient and a hook of the user's
    model[0].weight.requires_grad_(False)
    model[5].weight.grad = torch.ones_like(model[5].weight)
    calls = []
    model[1].register_forward_hook(lambda *args: calls.append(1))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    hooks = [(dict(m._forward_hooks), dict(m._forward_pre_hooks), dict(m._backward_hooks)) for m in model.modules()]
    attributes = [set(vars(m)) for m in model.modules()]
    iw.explain_image(model, x[:1], method, target=3, background=background[:4], n_samples=BUDGETS.get(method),
                     n_steps=4 if method == "integrated_gradients" else None)  # fmt: skip
    assert model.training and all(m.training for m in model.modules())
    assert not model[0].weight.requires_grad
    assert all(p.requires_grad for n, p in model.named_parameters() if n != "0.weight")
    assert torch.equal(model[5].weight.grad, torch.ones_like(model[5].weight))
    assert all(p.grad is None for n, p in model.named_parameters() if n != "5.weight")
    assert hooks == [(dict(m._forward_hooks), dict(m._forward_pre_hooks), dict(m._backward_hooks))
                     for m in model.modules()]  # fmt: skip
    assert attributes == [set(vars(m)) for m in model.modules()]
    assert all(torch.equal(before[n], p) for n, p in model.named_parameters())
    assert calls  # the user's hook saw the calls, and is still there


# -- bad input, named before any model call ----------------------------------------------------------------------


def _calls(model):
    """A list that grows by one for every forward call of ``model`` (and the hook's handle)."""
    calls = []
    return calls, model.register_forward_pre_hook(lambda *args: calls.append(1))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"images": "hwc"}, ValueError, r"look channels-last: shape \(3, 32, 32, 1\) reads as \(n, H, W, C\).*"
         r"np.transpose\(images, \(0, 3, 1, 2\)\)"),
        ({"images": "one hwc"}, ValueError, r"reads as \(H, W, C\).*np.moveaxis\(images, -1, 0\)"),
        ({"images": "mixed"}, ValueError,
         r"must all have the same size; received 2 sizes: \(1, 28, 28\), \(1, 32, 32\)"),
        ({"images": "int64"}, TypeError, "uint8 .0..255, scaled to .0, 1.. or floats"),
        ({"images": "nan"}, ValueError,
         r"must be finite; received 1 NaN/inf value\(s\), the first at \(n, C, H, W\) = \(0, 0, 1, 2\)"),
        ({"images": "5d"}, ValueError, r"must have shape \(n, C, H, W\).*received shape \(1, 3, 1, 32, 32\)"),
        ({"images": "3 channels"}, ValueError,
         r"must have shape \(n, 1, H, W\) \(the model's first Conv2d takes 1 channel"),
        ({"method": "gradcm"}, ValueError,
         "image method must be one of 'integrated_gradients', .*'shap_deep'; received 'gradcm'"),
        ({"method": "gradcam", "layer": "conv9"}, ValueError,
         r"layer 'conv9' is not a module of the model; its convolutional layers are: '0', '2'$"),
        ({"method": "gradcam", "layer": torch.nn.Conv2d(1, 2, 3)}, ValueError, "not part of it"),
        ({"method": "saliency", "layer": "0"}, ValueError, "layer= is used by method='gradcam' only"),
        ({"baseline": "black"}, ValueError, r"baseline must be one of 'zeros', 'blur', 'uniform', 'mean' or an array"),
        ({"baseline": "mean"}, ValueError, r"baseline='mean' is the mean of a background set"),
        ({"baseline": np.zeros((2, 32, 32))}, ValueError,
         r"broadcast to one image of shape \(C, H, W\) = \(1, 32, 32\).*received shape \(2, 32, 32\)"),
        ({"background": np.zeros((4, 1, 28, 28), np.float32)}, ValueError,
         r"background images must have the size of the explained images, \(C, H, W\) = \(1, 32, 32\); "
         r"received \(1, 28, 28\)"),
        ({"n_steps": 0}, ValueError, "^n_steps must be at least 1; received 0$"),
        ({"random_state": -1}, ValueError, "^random_state must be at least 0; received -1$"),
        ({"method": "occlusion", "window": 40}, ValueError,
         r"window must be from 1×1 to the image size 32×32; received 40×40"),
        ({"method": "occlusion", "window": (4, 6), "stride": 5}, ValueError,
         r"stride must be at most the window, 4×6 \(larger strides leave pixels out\); received 5×5"),
        ({"method": "lime", "segmentation": "felzenszwalb"}, ValueError,
         "segmentation must be one of 'quickshift', 'slic'"),
        ({"model": "not a model"}, TypeError, "explain_image needs a torch.nn.Module; received str"),
    ],
    ids=["channels last", "one channels-last image", "mixed sizes", "int64", "nan", "5-D", "colour for gray",
         "unknown method", "wrong layer", "foreign layer", "layer without gradcam", "unknown baseline",
         "mean without background", "baseline shape", "background size", "n_steps", "seed", "window", "stride",
         "segmentation",
         "not a model"],
)  # fmt: skip
def test_bad_input_is_named_before_any_model_call(digits, kwargs, error, message):
    model, x, _ = digits
    images = {
        "hwc": np.transpose(x, (0, 2, 3, 1)), "one hwc": np.transpose(x[0], (1, 2, 0)),
        "mixed": [x[0], np.zeros((1, 28, 28), np.float32)], "int64": x.astype(np.int64),
        "nan": _with_nan(x),
        "5d": np.zeros((1, 3, 1, 32, 32), np.float32), "3 channels": np.zeros((2, 3, 32, 32), np.float32),
    }.get(kwargs.pop("images", None), x)  # fmt: skip
    target = kwargs.pop("model", model)
    calls, handle = _calls(model)
    try:
        with pytest.raises(error, match=message):
            iw.explain_image(target, images, **{"method": "integrated_gradients", **kwargs})
    finally:
        handle.remove()
    assert calls == []


def _with_nan(x):
    bad = x.copy()
    bad[0, 0, 1, 2] = np.nan
    return bad


def test_a_target_out_of_range_is_named_after_one_cheap_call(digits):
    model, x, _ = digits
    calls, handle = _calls(model)
    try:
        out_of_range = r"^target must be a class index from 0 to 9 \(the model has 10 outputs\); received 12$"
        with pytest.raises(ValueError, match=out_of_range):
            iw.explain_image(model, x, target=[3, 12])
        with pytest.raises(ValueError, match="target 'cat' is not one of the output names"):
            iw.explain_image(model, x, target="cat")
        with pytest.raises(ValueError, match="must not name a class twice"):
            iw.explain_image(model, x, target=[3, 3])
    finally:
        handle.remove()
    assert len(calls) == 3  # one image each, to learn the number of outputs


def test_warnings_and_errors_for_colour_and_range_mistakes():
    model = colour_net()
    image = photo(32)
    grayscale = r"grayscale \(no channel axis\).*takes 3 channels.*np.repeat\(images\[:, None\], 3, axis=1\)"
    with pytest.raises(ValueError, match=grayscale):
        iw.explain_image(model, image[:2].mean(axis=0, keepdims=True).repeat(2, 0), "saliency")
    with pytest.warns(UserWarning, match=r"whole values up to 2\d\d: if they are 0..255 pixels"):
        iw.explain_image(model, (image * 255).round(), "saliency", target=0)
    with pytest.raises(ValueError, match="could not run on images of shape"):
        iw.explain_image(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(10, 2)), image, "saliency")
    with pytest.raises(ValueError, match="method='lime' segments RGB or grayscale images; received 2 channels"):
        iw.explain_image(torch.nn.Conv2d(2, 2, 3), np.zeros((1, 2, 8, 8), np.float32), "lime")
