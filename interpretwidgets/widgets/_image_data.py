"""ImageData: images and their attribution maps, held in Python and sent to the browser on request.

A view asks for what it draws: one image as uint8 RGB, one map (instance, class, method) reduced to one value per
pixel, the strip's thumbnails, or the agreement between methods. Opacity, sign mode, clipping and colours are the
browser's business: changing them redraws there with no message to the kernel. An explorer's attributions are
computed on their first request (one image, class and method at a time) and cached.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import traitlets

from .._transfer import encode
from ..data import Attribution
from ._base import DataWidget, SharedWidgets
from ._messages import RequestServer, index_param

__all__ = ["ImageData", "display_images"]

#: the longest side of a thumbnail in the strip, in pixels
THUMBNAIL = 72

#: ``explain(method, instance, output) -> (attribution, row, column)``: the attribution holding that map, and the
#: instance and output that index it there (an explorer computes one image and class at a time: row 0, column 0)
Explain = Callable[[str, int, int], tuple[Attribution, int, int]]


class ImageData(DataWidget):
    """Images and the attribution maps of one or several methods, for the views that show them.

    Parameters
    ----------
    images : array_like, shape (n, C, H, W)
        The images, as the model reads them (shown after :func:`display_images`).
    explain : callable
        ``explain(method, instance, output) -> (attribution, row, column)``, called on a view's first request for
        that map and cached.
    methods : sequence of str
        The methods ``explain`` knows, in the order the views list them.
    output_names : sequence of str
        The classes.
    display : array_like of uint8, shape (n, H, W, 3), optional
        The images as shown (default: :func:`display_images` of ``images``), for models that read normalised input.

    Notes
    -----
    Requests (``js/src/lib/image-data.ts`` is the twin): ``image {instance}`` → uint8 (H, W, 3);
    ``thumbnails {}`` → uint8 (n, h, w, 3); ``map {instance, output, method}`` → the map (H, W) as float16 divided
    by its largest magnitude, that magnitude, the segments (superpixel methods), and what the method says of
    itself (base value, output, completeness gap, baseline); ``agreement {instance, output}`` → the methods' rank
    agreement.
    """

    _repr_traits: ClassVar[tuple[str, ...]] = ("n_instances", "height", "width", "methods")
    _shared: ClassVar[SharedWidgets[ImageData]] = SharedWidgets()

    n_instances = traitlets.Int(1, help="How many images.").tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    output_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    methods = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(
        self,
        images: Any,
        explain: Explain,
        *,
        methods: Sequence[str],
        output_names: Sequence[str],
        display: Any = None,
        **kwargs: Any,
    ) -> None:
        images = np.asarray(images)
        if images.ndim != 4:
            raise ValueError(f"images must have shape (n, C, H, W); received shape {images.shape}")
        if not callable(explain):
            raise TypeError(f"explain must be a callable; received {type(explain).__name__}")
        methods = [str(m) for m in methods]
        if not methods:
            raise ValueError("ImageData needs at least one method")
        shown = display_images(images) if display is None else _checked_display(display, images.shape)
        self._images = images
        self._display = shown
        self._explain = explain
        self._explained: dict[tuple[str, int, int], tuple[Attribution, int, int]] = {}
        #: the Attribution this data was made for by :meth:`of` (None for an explorer's)
        self._single: Attribution | None = None
        n, _, height, width = images.shape
        super().__init__(
            n_instances=n, height=height, width=width, output_names=list(output_names), methods=methods, **kwargs
        )
        handlers = {
            "image": self._image,
            "thumbnails": self._thumbnails,
            "map": self._map,
            "agreement": self._agreement,
        }
        self._server = RequestServer(self, handlers)

    @classmethod
    def of(cls, attribution: Attribution | ImageData) -> ImageData:
        """The data widget of an image attribution (the one made before for the same object, or a new one)."""
        if isinstance(attribution, ImageData):
            return attribution
        if not isinstance(attribution, Attribution):
            raise TypeError(
                "expected an interpretwidgets.Attribution of images (from iw.explain_image) or an ImageData; "
                f"received {type(attribution).__name__}"
            )
        return cls._shared.get(attribution, lambda: cls._for(attribution), lambda widget: widget._single)

    @classmethod
    def _for(cls, attribution: Attribution) -> ImageData:
        images = attribution.data
        shape = attribution.feature_shape
        if images is None or images.ndim != 4 or len(shape) not in (2, 3) or images.shape[-2:] != shape[-2:]:
            raise ValueError(
                "an image view needs an attribution over images, with the images: values of shape (n, C, H, W, k) "
                "or (n, H, W, k) and data of shape (n, C, H, W) (iw.explain_image gives both); received values "
                f"{attribution.values.shape} and data {None if images is None else images.shape}"
            )

        def explain(_method: str, instance: int, output: int) -> tuple[Attribution, int, int]:
            return attribution, instance, output

        data = cls(
            images, explain, methods=[attribution.method or "attribution"], output_names=attribution.output_names
        )
        data._single = attribution
        return data

    @property
    def requests(self) -> RequestServer:
        """The server answering the views' requests."""
        return self._server

    @property
    def computed(self) -> tuple[tuple[str, int, int], ...]:
        """The (method, instance, output) maps computed so far, in the order they were asked for."""
        return tuple(self._explained)

    def attribution_for(self, method: str, instance: int, output: int) -> tuple[Attribution, int, int]:
        """The attribution holding one map, with the instance and output indexing it there (computed once)."""
        from ..data import check_index

        if method not in self.methods:
            raise ValueError(f"method must be one of {', '.join(map(repr, self.methods))}; received {method!r}")
        check_index("instance", instance, self.n_instances)
        check_index("output", output, len(self.output_names))
        key = (method, instance, output)
        if key not in self._explained:
            self._explained[key] = self._explain(*key)
        return self._explained[key]

    def pixel_map(self, method: str, instance: int, output: int) -> np.ndarray:
        """One value per pixel, (H, W): the attribution summed over the colour channels (captum's convention; the
        sum keeps completeness), or the superpixel / class-activation map as it is."""
        from ..kernels.honesty import instance_map

        attribution, row, column = self.attribution_for(method, instance, output)
        return instance_map(attribution, row, column).reshape(self.height, self.width)

    def _image(self, params: dict[str, Any]) -> dict[str, Any]:
        instance = index_param(params, "instance", self.n_instances)
        return {"instance": instance, "image": encode(self._display[instance], "uint8")}

    def _thumbnails(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {"thumbnails": encode(_shrink(self._display, THUMBNAIL), "uint8")}

    def _map(self, params: dict[str, Any]) -> dict[str, Any]:
        instance = index_param(params, "instance", self.n_instances)
        output = index_param(params, "output", len(self.output_names))
        method = str(params.get("method") or self.methods[0])
        attribution, row, column = self.attribution_for(method, instance, output)
        values = self.pixel_map(method, instance, output)
        peak = float(np.abs(values).max())
        # divided by the peak: float16 keeps 3 significant digits of every value, where raw values of 1e-5
        # (a gradient's) would fall among float16's subnormals
        scaled = values / peak if peak > 0 else values
        reply: dict[str, Any] = {
            "instance": instance,
            "output": output,
            "method": method,
            "map": encode(scaled, "float16"),
            "peak": peak,
            "segments": None,
            "summed_channels": attribution.values.ndim == 5 and attribution.values.shape[1] > 1,
            "base": float(attribution.base_values[row, column]),
            "baseline": attribution.baseline,
            "output_space": attribution.output_space,
            "gap": None,
        }
        if attribution.segments is not None:
            reply["segments"] = encode(attribution.segments[row], "int32")
        if attribution.convergence_delta is not None:
            reply["gap"] = float(attribution.convergence_delta[row, column])
        return reply

    def _agreement(self, params: dict[str, Any]) -> dict[str, Any]:
        from ..kernels.honesty import rank_agreement

        instance = index_param(params, "instance", self.n_instances)
        output = index_param(params, "output", len(self.output_names))
        maps = [self.pixel_map(method, instance, output) for method in self.methods]
        agreement = rank_agreement(maps)
        return {
            "instance": instance,
            "output": output,
            "methods": list(self.methods),
            "spearman": encode(agreement.spearman, "float32"),
            "top_overlap": encode(agreement.top_overlap, "float32"),
            "top_fraction": agreement.top_fraction,
        }


def display_images(images: Any) -> np.ndarray:
    """Images (n, C, H, W) as the views show them: uint8 RGB (n, H, W, 3).

    uint8 stays as it is; floats within [0, 1] are scaled by 255; anything else (normalised input, e.g. ImageNet's
    mean and standard deviation taken out) is stretched per image from its minimum to its maximum. One channel is
    shown in grey; more than 3 channels keep the first 3.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must have shape (n, C, H, W); received shape {images.shape}")
    channels = images.shape[1]
    if channels == 1:
        images = np.repeat(images, 3, axis=1)
    elif channels == 2 or channels < 1:
        raise ValueError(f"images must have 1 (grey) or 3 (RGB) channels; received {channels}")
    rgb = np.moveaxis(images[:, :3], 1, -1)
    if rgb.dtype == np.uint8:
        return np.ascontiguousarray(rgb)
    rgb = rgb.astype(np.float64)
    if rgb.min() >= 0 and rgb.max() <= 1:
        return np.rint(rgb * 255).astype(np.uint8)
    low = rgb.min(axis=(1, 2, 3), keepdims=True)
    span = rgb.max(axis=(1, 2, 3), keepdims=True) - low
    stretched = np.divide(rgb - low, span, out=np.zeros_like(rgb), where=span > 0)
    return np.rint(stretched * 255).astype(np.uint8)


def _checked_display(display: Any, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(display)
    n, _, height, width = shape
    if arr.dtype != np.uint8 or arr.shape != (n, height, width, 3):
        raise ValueError(
            f"display must be uint8 RGB images of shape (n, H, W, 3) = ({n}, {height}, {width}, 3); received "
            f"{arr.dtype} of shape {arr.shape}"
        )
    return arr


def _shrink(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 (n, H, W, 3) averaged down by a whole factor until the longest side is at most ``size`` (a thumbnail
    keeps every pixel's colour, where picking every k-th pixel would alias)."""
    n, height, width, _ = images.shape
    factor = max(1, -(-max(height, width) // size))
    if factor == 1:
        return images
    h, w = max(1, height // factor), max(1, width // factor)
    factor_h, factor_w = min(factor, height), min(factor, width)
    cropped = images[:, : h * factor_h, : w * factor_w].astype(np.float32)
    blocks = cropped.reshape(n, h, factor_h, w, factor_w, 3).mean(axis=(2, 4))
    return np.rint(blocks).astype(np.uint8)
