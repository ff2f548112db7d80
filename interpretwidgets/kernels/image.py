"""Attributions for torch image classifiers: ``explain_image`` and its registry of methods.

Every method explains the same numbers, the model's outputs for the chosen classes (logits for a classifier that
returns logits), so that methods can be compared on one image. Pixel methods give values over (C, H, W); Grad-CAM
and LIME give one value per pixel over (H, W), LIME with its superpixel map kept as ``segments``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..data import Attribution
from ..data.interop import LIME_BASELINE
from . import _gradient_paths, gradients
from ._baselines import check_baseline, reference_set
from ._borrow import borrowed
from ._image_inputs import (
    expected_channels,
    gradcam_layer,
    image_batch,
    occlusion_window,
    same_size,
)
from ._image_task import ImageTask, check_lime, image_attribution, make_task, references_on_device
from ._inputs import check_count
from ._models import is_torch_module
from ._random import seeded
from .registry import Registry

__all__ = ["IMAGE", "ImageTask", "explain_image"]

DEFAULT_STEPS = 50  # integrated gradients: captum's default n_steps

#: SmoothGrad's noise σ as a share of the images' pixel range (Smilkov et al. found 10-20 % works best)
SMOOTHGRAD_NOISE = 0.15

_NOT_ADDITIVE = "not additive: {what}; the base value is the model output for the image"

IMAGE: Registry[ImageTask, Attribution] = Registry("image")


def explain_image(
    model: Any,
    images: Any,
    method: str = "integrated_gradients",
    *,
    target: int | str | Sequence[int | str] | None = None,
    baseline: str | Any = "zeros",
    background: Any = None,
    output_names: Sequence[str] | None = None,
    n_steps: int | None = None,
    n_samples: int | None = None,
    layer: Any = None,
    segmentation: str | Any = "quickshift",
    window: int | tuple[int, int] | None = None,
    stride: int | tuple[int, int] | None = None,
    random_state: int | None = 0,
    progress: bool | None = None,
) -> Attribution:
    """Explain a torch image classifier's outputs pixel by pixel.

    Parameters
    ----------
    model : torch.nn.Module
        Maps (n, C, H, W) float images to (n, n_classes) scores (logits or probabilities; explained as they are;
        an output with ``.logits``, as Hugging Face image classifiers return, gives those).
        Borrowed: train/eval mode, ``requires_grad``, hooks and ``.grad`` are given back as they were; it runs in
        eval mode, and the images go to the device of its parameters.
    images : array_like or torch.Tensor
        Shape (n, C, H, W), one image (C, H, W), grayscale (n, H, W) or (H, W) for a one-channel model, or a list
        of same-sized images. ``uint8`` images (0..255) are scaled to [0, 1] floats; floats are used as they are,
        so give them in the range (and normalisation) the model was trained on. Channels-last images
        (n, H, W, C), grayscale images for a colour model and mixed sizes raise an error saying how to fix them.
    method : str
        A registered method (``IMAGE.names()``):

        - ``"integrated_gradients"``: captum ``IntegratedGradients`` from the baseline, ``n_steps`` (default 50);
          complete up to its ``convergence_delta``.
        - ``"gradient_shap"``: captum ``GradientShap`` (expected gradients, no added noise), ``n_samples``
          (default 50) draws from the background images (or the baseline); ``convergence_delta`` is its gap
          ``Σ values + base − output`` (it is complete only in expectation).
        - ``"deeplift"``: captum ``DeepLift`` (rescale rule) from the baseline, convergence delta kept.
        - ``"saliency"``: captum ``Saliency`` with its default ``abs=True``: the gradient's magnitude, not signed
          and not additive (a large value means a sensitive pixel, not one that raises the score).
        - ``"smoothgrad"``: captum ``NoiseTunnel`` over ``Saliency`` (``nt_type="smoothgrad"``), ``n_samples``
          (default 25) noisy copies with σ = 15 % of the images' pixel range.
        - ``"gradcam"``: captum ``LayerGradCam`` on ``layer`` (default: the last ``nn.Conv2d``), upsampled
          bilinearly to H × W with ``LayerAttribution.interpolate``. Signed (captum's default,
          ``relu_attributions=False``); the paper's Grad-CAM is its positive part. Values over (H, W).
        - ``"occlusion"``: captum ``Occlusion``: a ``window`` (default ⅛ of the shorter side, at least 2 px, over
          all channels) replaced by the baseline, slid by ``stride`` (default half a window); each pixel gets the
          mean output drop of the windows covering it.
        - ``"lime"``: ``lime.lime_image.LimeImageExplainer`` with ``n_samples`` (default 1000) perturbed images
          built and scored in large batches on the model's device (lime copies and scores them ten at a time); the
          same random draws, so the same weights as lime's own call with the same segmentation and seed. Hidden
          superpixels take the baseline's pixels (``"zeros"`` is lime's ``hide_color=0``). Values over (H, W):
          each pixel holds its superpixel's weight; the map is kept as ``segments``. Needs 1 or 3 channels.
        - ``"shap_gradient"``: ``shap.GradientExplainer`` (expected gradients), ``n_samples`` (default 200,
          shap's) per image, seeded with ``random_state`` image by image.
        - ``"shap_deep"``: ``shap.DeepExplainer`` (DeepSHAP). It supports only some layer types; a network it
          cannot explain raises a ``ValueError`` that names ``"shap_gradient"``.
    target : int, str or sequence of them, optional
        The classes to explain, by index or by name (one of ``output_names``); they form the outputs axis, in the
        order given. Default: every class when the model has at most 10 outputs, else the classes predicted for
        at least one of the images (in ascending order).
    baseline : str or array_like
        What an absent pixel is. ``"zeros"`` (the all-zeros image), ``"blur"`` (each image blurred with a
        Gaussian of σ = 10 % of its shorter side), ``"uniform"`` (one image of uniform noise over the images'
        range, seeded with ``random_state``), ``"mean"`` (the mean of ``background``), or an array broadcastable
        to one image (C, H, W). Used by integrated gradients, DeepLift, occlusion and LIME, and by GradientShap
        and the SHAP methods when no ``background`` is given. Saliency, SmoothGrad and Grad-CAM have none.
    background : array_like, optional
        Reference images, in the layout of ``images``: the distribution GradientShap and the SHAP methods draw
        baselines from, and what ``baseline="mean"`` averages.
    output_names : sequence of str, optional
        One name per model output (class names); default ``"class i"``.
    n_steps : int, optional
        Integrated gradients' number of steps (default 50).
    n_samples : int, optional
        The sampling methods' budget (see each method).
    layer : torch.nn.Module or str, optional
        ``"gradcam"`` only: the layer whose activations are weighed, a module of ``model`` or its dotted name
        (``"features.3"``); a wrong name lists the model's convolutional layers.
    segmentation : {"quickshift", "slic"} or callable
        ``"lime"`` only: lime's default quickshift (``kernel_size=4, max_dist=200, ratio=0.2``), scikit-image
        SLIC (``n_segments=50, compactness=10, start_label=0``), or a function of an (H, W, 3) image returning
        integer segment ids. Segment ids are renumbered 0..m-1.
    window, stride : int or (int, int), optional
        ``"occlusion"`` only: the occluding window and its step in pixels.
    random_state : int, optional
        Seeds every sampling step (numpy and torch around each method, lime's and shap's own seeds, the uniform
        baseline) without touching the global random state; None draws afresh.
    progress : bool, optional
        Show a tqdm.auto bar over the images; by default only when the work spans more than one chunk. Ctrl-C
        lands between chunks.

    Returns
    -------
    Attribution
        ``values`` of shape (n, C, H, W, k) for the pixel methods and (n, H, W, k) for ``"gradcam"`` and
        ``"lime"``, k being the explained classes (``output_names`` their names); ``data`` the images (n, C, H, W).
        ``base_values`` is the model's output at the baseline for integrated gradients and DeepLift, the mean
        output over the reference images for GradientShap and SHAP, LIME's intercept, and otherwise the model's
        output for the image, with ``baseline`` saying that the method is not additive. ``convergence_delta``
        where the method defines one (for LIME: intercept + Σ superpixel weights − output).
        ``output_space`` is ``"probability"`` when the model's outputs are probabilities, else ``"raw"``.

    Raises
    ------
    ValueError, TypeError
        Before any heavy work: an unknown method (the message lists the registered ones), a model that is not a
        torch module or cannot run on the images, bad images (see ``images``), a target out of range (the message
        names the number of classes), a bad baseline, background, budget, layer, window or segmentation.
    """
    entry = IMAGE.get(method)
    if not is_torch_module(model):
        raise TypeError(f"explain_image needs a torch.nn.Module; received {type(model).__name__}")
    channels = expected_channels(model)
    pixels = image_batch(images, channels)
    reference = None
    if background is not None:
        reference = image_batch(background, channels, "background")
        same_size(reference, pixels)
    checked_baseline = check_baseline(baseline, reference, pixels.shape[1:])
    n_steps = check_count("n_steps", n_steps)
    n_samples = check_count("n_samples", n_samples)
    random_state = check_count("random_state", random_state, minimum=0)
    if layer is not None and entry.name != "gradcam":
        raise ValueError(f"layer= is used by method='gradcam' only; received it with method={entry.name!r}")
    chosen_layer = gradcam_layer(model, layer) if entry.name == "gradcam" else None
    window, stride = occlusion_window(window, stride, *pixels.shape[2:])
    if entry.name == "lime":
        check_lime(pixels, segmentation)
    with borrowed(model), seeded(random_state):
        model.eval()
        task = make_task(
            model, pixels, checked_baseline, reference, target, output_names, n_steps=n_steps, n_samples=n_samples,
            layer=chosen_layer, segmentation=segmentation, window=window, stride=stride, random_state=random_state,
            progress=progress,
        )  # fmt: skip
        return entry.compute(task)


@IMAGE.register(
    "integrated_gradients", model="torch", summary="Integrated gradients (captum) from the baseline, delta kept"
)
def integrated_gradients(task: ImageTask) -> Attribution:
    base = task.at_baselines()  # before the loop, as the scores are: small passes cost least in a row
    values = _gradient_paths.integrated_gradients(
        task.forward, task.x, task.baseline_tensor(), task.targets, task.n_steps or DEFAULT_STEPS, task.progress
    )
    delta = task.gap(values, base)
    described = f"model output at {task.baselines.described} (where the integration path starts)"
    return image_attribution(task, "integrated_gradients", values, base, described, delta)


@IMAGE.register("gradient_shap", model="torch", summary="GradientShap (captum): expected gradients over references")
def gradient_shap(task: ImageTask) -> Attribution:
    references, described = reference_set(task.baselines, task.background)
    per_image = references is None
    reference_tensor = task.baseline_tensor() if per_image else task.tensor(references)
    if per_image:
        base = task.at_baselines()
    else:
        mean = gradients.predict(task.forward, reference_tensor)[:, task.targets].mean(axis=0)
        base = np.broadcast_to(mean, (len(task.images), len(task.targets)))
    values = _gradient_paths.gradient_shap(
        task.forward, task.x, reference_tensor, task.targets, task.samples("gradient_shap"), task.progress,
        per_image=per_image,
    )  # fmt: skip
    delta = task.gap(values, base)
    return image_attribution(task, "gradient_shap", values, base, f"mean model output over {described}", delta)


@IMAGE.register("deeplift", model="torch", summary="DeepLift (captum, rescale rule) from the baseline, delta kept")
def deeplift(task: ImageTask) -> Attribution:
    values, delta = gradients.deeplift(task.forward, task.x, task.baseline_tensor(), task.targets, task.progress)
    described = f"model output at {task.baselines.described} (DeepLIFT's reference)"
    return image_attribution(task, "deeplift", values, task.at_baselines(), described, delta)


@IMAGE.register("saliency", model="torch", summary="Saliency (captum): the gradient's magnitude |∂f/∂x|")
def saliency(task: ImageTask) -> Attribution:
    values = gradients.saliency(task.forward, task.x, task.targets, task.progress)
    what = "saliency is the gradient's magnitude |∂f/∂x| at the image (how sensitive, not which way)"
    return image_attribution(task, "saliency", values, task.explained, _NOT_ADDITIVE.format(what=what))


@IMAGE.register("smoothgrad", model="torch", summary="SmoothGrad (captum NoiseTunnel over Saliency)")
def smoothgrad(task: ImageTask) -> Attribution:
    spread = float(task.images.max() - task.images.min())
    stdev = SMOOTHGRAD_NOISE * (spread or 1.0)
    samples = task.samples("smoothgrad")
    values = gradients.smoothgrad(task.forward, task.x, task.targets, samples, stdev, task.progress)
    what = f"SmoothGrad averages |∂f/∂x| over {samples} copies with Gaussian noise of σ = {stdev:.3g}"
    return image_attribution(task, "smoothgrad", values, task.explained, _NOT_ADDITIVE.format(what=what))


@IMAGE.register("gradcam", model="torch", summary="Grad-CAM (captum LayerGradCam) on the last conv layer, upsampled")
def gradcam(task: ImageTask) -> Attribution:
    assert task.layer is not None  # resolved by explain_image
    name, module = task.layer
    values = gradients.gradcam(task.forward, module, task.x, task.targets, task.progress)
    what = f"Grad-CAM weighs layer {name!r}'s activations by their mean gradient, upsampled to the image"
    return image_attribution(task, "gradcam", values, task.explained, _NOT_ADDITIVE.format(what=what))


@IMAGE.register("occlusion", model="torch", summary="Occlusion (captum): output drop under a sliding window")
def occlusion(task: ImageTask) -> Attribution:
    window, stride = task.window, task.stride
    values = gradients.occlusion(
        task.forward, task.x, task.baseline_tensor(), task.targets, window, stride, task.progress
    )
    what = (
        f"occlusion is the mean output drop when a {window[0]}×{window[1]} window (stride {stride[0]}×{stride[1]}) "
        f"is replaced by {task.baselines.described}"
    )
    return image_attribution(task, "occlusion", values, task.explained, _NOT_ADDITIVE.format(what=what))


@IMAGE.register("lime", model="torch", summary="LIME image (lime.LimeImageExplainer), batched on the model's device")
def lime(task: ImageTask) -> Attribution:
    from ._image_lime import explain_superpixels

    found = explain_superpixels(
        task.forward, task.images, task.x, task.baseline_tensor(), task.targets, task.samples("lime"),
        task.segmentation, task.random_state, task.progress,
    )  # fmt: skip
    delta = found.intercepts + found.weight_sums - task.explained
    described = f"{LIME_BASELINE}; hidden superpixels take {task.baselines.described}"
    return image_attribution(task, "lime", found.values, found.intercepts, described, delta, found.segments)


@IMAGE.register("shap_gradient", model="torch", summary="Expected gradients (shap.GradientExplainer)")
def shap_gradient(task: ImageTask) -> Attribution:
    from ._image_shap import gradient_explainer

    references, described = reference_set(task.baselines, task.background)
    values, base = gradient_explainer(
        task.model, task.x, references_on_device(task, references), task.targets, task.samples("shap_gradient"),
        task.random_state, task.progress,
    )  # fmt: skip
    delta = task.gap(values, base)
    return image_attribution(task, "shap_gradient", values, base, f"mean model output over {described}", delta)


@IMAGE.register("shap_deep", model="torch", summary="DeepSHAP (shap.DeepExplainer); some layer types unsupported")
def shap_deep(task: ImageTask) -> Attribution:
    from ._image_shap import deep_explainer

    references, described = reference_set(task.baselines, task.background)
    values, base = deep_explainer(
        task.model, task.x, references_on_device(task, references), task.targets, task.progress
    )
    described = f"mean model output over {described} (DeepLIFT rescale, DeepSHAP)"
    delta = task.gap(values, base)
    return image_attribution(task, "shap_deep", values, base, described, delta)


#: the registered method names
METHODS = IMAGE.names()
