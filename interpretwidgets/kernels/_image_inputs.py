"""Checks and fix-ups of what ``explain_image`` receives, done before any model call.

Images become one float array of shape (n, C, H, W). The layout is read against the number of channels the
model's first ``nn.Conv2d`` takes, so that channels-last input is caught with the transpose that fixes it rather
than failing deep inside the model. ``uint8`` images (0..255) are scaled to [0, 1] floats: the one fix-up made
silently, because that is the range image models are trained in.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

#: channel counts a channel axis usually has, for models whose first layer does not say (no ``nn.Conv2d``)
_USUAL_CHANNELS = (1, 3, 4)

#: method='gradcam' lists at most this many layers in an error
_LISTED_LAYERS = 30


def expected_channels(model: Any) -> int | None:
    """The channels the model's first ``nn.Conv2d`` takes, or None when it has none (or a lazy one)."""
    import torch

    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            channels = int(getattr(module, "in_channels", 0) or 0)
            return channels or None
    return None


def image_batch(images: Any, channels: int | None, name: str = "images") -> np.ndarray:
    """``images`` as a float array of shape (n, C, H, W).

    Accepts a numpy array or torch tensor of shape (n, C, H, W), one image (C, H, W), grayscale (n, H, W) or
    (H, W) (given a channel axis when the model takes one channel), or a list of same-sized images. ``uint8`` is
    scaled to [0, 1]; other floats are kept as they are (the model's range).

    Raises
    ------
    TypeError
        Non-numeric, boolean or non-``uint8`` integer images.
    ValueError
        Channels-last (n, H, W, C) images (the message gives the transpose), grayscale images for a colour model,
        images of mixed sizes (the message names them), an empty batch, NaN/inf, or another number of axes.
    """
    arr = _as_array(images, name)
    if arr.dtype == np.uint8:
        arr = arr.astype(np.float32) / 255.0
    elif arr.dtype.kind in "iub":
        raise TypeError(
            f"{name} must be uint8 (0..255, scaled to [0, 1]) or floats in the model's input range; received "
            f"dtype {arr.dtype}. Convert them first, e.g. {name}.astype(np.float32) / 255"
        )
    elif arr.dtype.kind != "f":
        raise TypeError(f"{name} must be a numeric array; received dtype {arr.dtype}")
    elif arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    arr = _channels_first(arr, channels, name)
    if 0 in arr.shape:
        raise ValueError(f"{name} must hold at least one image of at least 1×1 pixels; received shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must be finite; received {int(bad.sum())} NaN/inf value(s), the first at (n, C, H, W) = {first}"
        )
    if arr.size and arr.max() > 1.5 and np.array_equal(arr, np.round(arr)):
        warnings.warn(
            f"{name} are floats with whole values up to {arr.max():g}: if they are 0..255 pixels and the model "
            "expects [0, 1], divide them by 255 (or pass them as uint8, which is scaled for you)",
            UserWarning,
            stacklevel=3,
        )
    return arr


def _as_array(images: Any, name: str) -> np.ndarray:
    """A numpy array of a numpy array, a torch tensor (any device) or a list of same-sized images."""
    if isinstance(images, list | tuple):
        if not images:
            raise ValueError(f"{name} must hold at least one image; received an empty {type(images).__name__}")
        parts = [_as_array(image, name) for image in images]
        sizes = sorted({part.shape for part in parts})
        if len(sizes) > 1:
            listed = ", ".join(str(size) for size in sizes[:5])
            raise ValueError(
                f"{name} must all have the same size; received {len(sizes)} sizes: {listed}. "
                "Resize them to one size first (e.g. skimage.transform.resize)"
            )
        return np.stack(parts)
    if hasattr(images, "detach") and hasattr(images, "cpu"):  # a torch tensor, on any device
        return images.detach().cpu().numpy()
    try:
        arr = np.asarray(images)
    except Exception as exc:
        raise TypeError(f"{name} must be a numeric array; received {type(images).__name__} ({exc})") from exc
    if arr.dtype == object:
        raise TypeError(f"{name} must be a numeric array of same-sized images; received {type(images).__name__}")
    return arr


def _channels_first(arr: np.ndarray, channels: int | None, name: str) -> np.ndarray:
    """(n, C, H, W) from the accepted layouts; a clear error for channels-last or grayscale-for-colour input."""
    shape = arr.shape
    takes = f"the model's first Conv2d takes {channels} channel(s)" if channels else "no Conv2d says otherwise"
    if arr.ndim == 4:
        if _is_channel_axis(shape[1], channels):
            return arr
        if _is_channel_axis(shape[3], channels):
            raise ValueError(
                _channels_last(name, shape, "(n, H, W, C)", "(n, C, H, W)", f"np.transpose({name}, (0, 3, 1, 2))")
            )
        if channels is None:
            return arr
        raise ValueError(f"{name} must have shape (n, {channels}, H, W) ({takes}); received shape {shape}")
    if arr.ndim == 3:
        first, last = _is_channel_axis(shape[0], channels), _is_channel_axis(shape[2], channels)
        if channels == 1 and not (last and shape[0] != 1):
            return arr[:, None]  # grayscale (n, H, W); (1, H, W) is one image either way
        if first and (channels is not None or not last):
            return arr[None]  # one image (C, H, W)
        if last:
            raise ValueError(_channels_last(name, shape, "(H, W, C)", "(C, H, W)", f"np.moveaxis({name}, -1, 0)"))
        if channels is None:
            return arr[:, None]
        raise ValueError(_grayscale(name, shape, channels, f"np.repeat({name}[:, None], {channels}, axis=1)"))
    if arr.ndim == 2:
        if channels in (None, 1):
            return arr[None, None]
        raise ValueError(_grayscale(name, shape, channels, f"np.repeat({name}[None], {channels}, axis=0)"))
    raise ValueError(
        f"{name} must have shape (n, C, H, W), (C, H, W) for one image, or (n, H, W) / (H, W) for grayscale; "
        f"received shape {shape}"
    )


def _is_channel_axis(size: int, channels: int | None) -> bool:
    return size == channels if channels is not None else size in _USUAL_CHANNELS


def _channels_last(name: str, shape: tuple[int, ...], read: str, wanted: str, fix: str) -> str:
    return (
        f"{name} look channels-last: shape {shape} reads as {read}, but torch image models take channels first, "
        f"{wanted}. Move the channel axis first: {fix}"
    )


def _grayscale(name: str, shape: tuple[int, ...], channels: int, fix: str) -> str:
    return (
        f"{name} of shape {shape} are grayscale (no channel axis), but the model's first Conv2d takes {channels} "
        f"channels. Give them {channels} identical channels: {fix}"
    )


def same_size(background: np.ndarray, images: np.ndarray) -> None:
    """``background`` images must have the size of the explained images."""
    if background.shape[1:] != images.shape[1:]:
        raise ValueError(
            f"background images must have the size of the explained images, (C, H, W) = {images.shape[1:]}; "
            f"received {background.shape[1:]}"
        )


def all_output_names(names: Sequence[str] | None, n_outputs: int) -> list[str]:
    """Names of all the model's outputs: the user's (one per output), or ``"class i"`` (``"prediction"`` for a
    single output)."""
    from ._inputs import check_names

    given = check_names("output_names", names, n_outputs)
    if given is not None:
        return given
    return ["prediction"] if n_outputs == 1 else [f"class {i}" for i in range(n_outputs)]


def explicit_targets(target: Any, n_outputs: int, names: Sequence[str]) -> tuple[int, ...] | None:
    """The classes ``target`` names (an index, an output name, or a sequence of them), checked against the model's
    ``n_outputs``; None for ``target=None``, which is resolved once the predictions are known."""
    if target is None:
        return None
    many = isinstance(target, Sequence | np.ndarray) and not isinstance(target, str)
    items = list(np.asarray(target).ravel()) if isinstance(target, np.ndarray) else list(target) if many else [target]
    if not items:
        raise ValueError("target must name at least one class; received an empty sequence")
    resolved = [_target(item, n_outputs, names) for item in items]
    if len(set(resolved)) != len(resolved):
        raise ValueError(f"target must not name a class twice; received {list(items)}")
    return tuple(resolved)


def _target(item: Any, n_outputs: int, names: Sequence[str]) -> int:
    if isinstance(item, str):
        if item not in names:
            shown = ", ".join(repr(n) for n in list(names)[:12]) + (", ..." if len(names) > 12 else "")
            raise ValueError(f"target {item!r} is not one of the output names ({shown})")
        return list(names).index(item)
    if isinstance(item, bool) or not isinstance(item, int | np.integer):
        raise TypeError(f"target must be a class index, an output name or a sequence of them; received {item!r}")
    if not 0 <= item < n_outputs:
        raise ValueError(
            f"target must be a class index from 0 to {n_outputs - 1} (the model has {n_outputs} outputs); "
            f"received {int(item)}"
        )
    return int(item)


def default_targets(n_outputs: int, predicted: np.ndarray, all_up_to: int) -> tuple[int, ...]:
    """``target=None``: every class of a model with at most ``all_up_to`` outputs, else the classes predicted for
    at least one image, in ascending order."""
    if n_outputs <= all_up_to:
        return tuple(range(n_outputs))
    return tuple(int(c) for c in np.unique(predicted))


def gradcam_layer(model: Any, layer: Any) -> tuple[str, Any]:
    """The layer Grad-CAM weighs: ``layer`` (a module of ``model`` or its dotted name) or the last ``nn.Conv2d``.

    Raises
    ------
    ValueError
        No ``nn.Conv2d`` and no layer named, a name that is not a module of the model (the message lists its
        convolutional layers), or a module that is not part of the model.
    TypeError
        ``layer`` neither a str nor a module.
    """
    import torch

    named = dict(model.named_modules())
    convs = [n for n, m in named.items() if isinstance(m, torch.nn.Conv2d)]
    if layer is None:
        if not convs:
            raise ValueError(
                "method='gradcam' weighs a convolutional layer's activations and the model has no nn.Conv2d; "
                "name a layer with 4-D (n, channels, h, w) output with layer= (a module of the model or its "
                "dotted name)"
            )
        return convs[-1], named[convs[-1]]
    if isinstance(layer, str):
        if layer not in named or layer == "":
            listed = convs or [n for n in named if n]
            kind = "convolutional layers" if convs else "modules"
            shown = ", ".join(repr(n) for n in listed[:_LISTED_LAYERS]) + (", ..." if len(listed) > 30 else "")
            raise ValueError(f"layer {layer!r} is not a module of the model; its {kind} are: {shown}")
        return layer, named[layer]
    if isinstance(layer, torch.nn.Module):
        for n, m in named.items():
            if m is layer:
                return n or type(model).__name__, m
        raise ValueError(
            f"layer must be a module of the model; received a {type(layer).__name__} that is not part of it"
        )
    raise TypeError(f"layer must be a module of the model or its dotted name (str); received {type(layer).__name__}")


def occlusion_window(window: Any, stride: Any, height: int, width: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The occlusion window and stride, (height, width) each: as given (one int for both sides), or by default a
    window of ⅛ of the shorter side (at least 2 px) sliding by half a window — 15 × 15 positions on a square
    image, each pixel covered by up to 4 windows (4×4 by 2 on 32×32 digits, 28×28 by 14 on a 224×224 photo).

    Raises
    ------
    ValueError
        A window outside 1×1..H×W, or a stride larger than the window (pixels would be left out).
    TypeError
        Neither an int nor a pair of ints.
    """
    window = _pair("window", window, height, width)
    if window is None:
        side = max(2, min(height, width) // 8)
        window = (min(side, height), min(side, width))
    stride = _pair("stride", stride, height, width) or (max(1, window[0] // 2), max(1, window[1] // 2))
    if stride[0] > window[0] or stride[1] > window[1]:
        raise ValueError(
            f"stride must be at most the window, {window[0]}×{window[1]} (larger strides leave pixels out); "
            f"received {stride[0]}×{stride[1]}"
        )
    return window, stride


def _pair(name: str, value: Any, height: int, width: int) -> tuple[int, int] | None:
    """One int for both sides or (height, width), within the image; None stays None."""
    if value is None:
        return None
    pair = tuple(value) if isinstance(value, Sequence) and not isinstance(value, str) else (value, value)
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, int | np.integer) for v in pair):
        raise TypeError(f"{name} must be an int or a pair of ints (height, width); received {value!r}")
    h, w = (int(v) for v in pair)
    if not (1 <= h <= height and 1 <= w <= width):
        raise ValueError(f"{name} must be from 1×1 to the image size {height}×{width}; received {h}×{w}")
    return h, w
