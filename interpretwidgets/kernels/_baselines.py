"""Image baselines: the reference image an attribution is measured from (what "absent" means for a pixel).

An explanation is only as meaningful as its baseline (Sturmfels et al., "Visualizing the Impact of Feature
Attribution Baselines", Distill 2020), so each one comes with a sentence that the views show beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: the named baselines; an array broadcastable to one image (C, H, W) is also accepted
NAMED = ("zeros", "blur", "uniform", "mean")

#: Gaussian blur σ as a share of the image's shorter side: wide enough to remove edges and texture, the things
#: attributions are about, while keeping the image's colours
BLUR_SIGMA = 0.1


@dataclass(frozen=True)
class Baselines:
    """One baseline image per explained image, and what it is."""

    #: shape (n, C, H, W); a read-only broadcast view when ``shared``
    images: np.ndarray
    #: every image has the same baseline (so a method may batch images against one reference)
    shared: bool
    #: what the baseline is, e.g. "the all-zeros image"
    described: str


def check_baseline(baseline: Any, background: np.ndarray | None, image_shape: tuple[int, ...]) -> Any:
    """Validate ``baseline`` before any work: a name of :data:`NAMED` or an array broadcastable to one image.

    Returns the name, or the array as a float array of shape ``image_shape`` (``uint8`` scaled to [0, 1] as the
    images are).

    Raises
    ------
    ValueError
        An unknown name, ``"mean"`` without a background, an array that does not broadcast to one image, NaN/inf.
    TypeError
        Neither a str nor numeric.
    """
    if isinstance(baseline, str):
        if baseline not in NAMED:
            raise ValueError(
                f"baseline must be one of {', '.join(repr(n) for n in NAMED)} or an array broadcastable to one "
                f"image {image_shape}; received {baseline!r}"
            )
        if baseline == "mean" and background is None:
            raise ValueError("baseline='mean' is the mean of a background set of images: pass background=images")
        return baseline
    if hasattr(baseline, "detach") and hasattr(baseline, "cpu"):
        baseline = baseline.detach().cpu().numpy()
    try:
        arr = np.asarray(baseline)
    except Exception as exc:
        raise TypeError(f"baseline must be a str or a numeric array; received {type(baseline).__name__}") from exc
    if arr.dtype.kind not in "biuf" or arr.dtype == bool:
        raise TypeError(f"baseline must be a str or a numeric array; received {type(baseline).__name__}")
    arr = arr.astype(np.float32) / 255.0 if arr.dtype == np.uint8 else arr.astype(np.float64)
    if arr.ndim == len(image_shape) + 1 and arr.shape[0] == 1:
        arr = arr[0]
    try:
        arr = np.broadcast_to(arr, image_shape)
    except ValueError:
        raise ValueError(
            f"baseline array must broadcast to one image of shape (C, H, W) = {image_shape} (a scalar, one value "
            f"per channel as (C, 1, 1), or a whole image); received shape {arr.shape}"
        ) from None
    if not np.isfinite(arr).all():
        raise ValueError("baseline must be finite; received NaN/inf values")
    return arr


def baseline_images(
    baseline: Any, images: np.ndarray, background: np.ndarray | None, random_state: int | None
) -> Baselines:
    """The baseline of each image for a baseline checked by :func:`check_baseline`.

    - ``"zeros"``: the all-zeros image (black, or the mean image for inputs normalised to zero mean);
    - ``"blur"``: each image blurred with a Gaussian of σ = 10 % of its shorter side (per image);
    - ``"uniform"``: one image of uniform noise over the images' pixel range, drawn with ``random_state``;
    - ``"mean"``: the mean of the background images;
    - an array: that image, broadcast to every explained image.
    """
    shape = images.shape
    if isinstance(baseline, np.ndarray):
        return _shared(baseline, shape, "the given baseline image")
    if baseline == "zeros":
        return _shared(np.zeros(shape[1:], dtype=images.dtype), shape, "the all-zeros image")
    if baseline == "mean":
        assert background is not None  # checked by check_baseline
        return _shared(background.mean(axis=0), shape, f"the mean of the {len(background)} background images")
    if baseline == "uniform":
        low, high = float(images.min()), float(images.max())
        noise = np.random.default_rng(random_state).uniform(low, high, size=shape[1:]).astype(images.dtype)
        return _shared(noise, shape, f"uniform noise in [{low:.3g}, {high:.3g}] (seed {random_state})")
    from scipy.ndimage import gaussian_filter

    sigma = max(1.0, BLUR_SIGMA * min(shape[2:]))
    blurred = np.stack([gaussian_filter(image, sigma=(0, sigma, sigma), mode="nearest") for image in images])
    return Baselines(blurred, shared=False, described=f"a Gaussian blur (σ = {sigma:.3g} px) of each image")


def _shared(image: np.ndarray, shape: tuple[int, ...], described: str) -> Baselines:
    return Baselines(np.broadcast_to(image, shape), shared=True, described=described)


def reference_set(baselines: Baselines, background: np.ndarray | None) -> tuple[np.ndarray | None, str]:
    """The reference images an expectation over baselines uses (GradientShap, SHAP): the background when given,
    else the one shared baseline; None when each image has its own baseline (then each is its own reference)."""
    if background is not None:
        return background, f"the {len(background)} background images"
    if baselines.shared:
        return np.ascontiguousarray(baselines.images[:1]), baselines.described
    return None, baselines.described
