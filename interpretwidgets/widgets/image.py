"""ImageView, ImageComparison and ImageStrip: image attributions over their images, linked by instance, class and
method."""

from __future__ import annotations

from typing import Any, ClassVar

import traitlets
from ipywidgets import widget_serialization

from ..data import Attribution
from ._base import InvalidValue, ViewWidget, static_file, valid_index
from ._image_data import ImageData
from ._selection import Selection, bind, mirror

__all__ = ["ImageComparison", "ImageStrip", "ImageView"]

#: the selection traits an image view reads
SELECTION_TRAITS = ("instance", "output", "method")
SIGN_MODES = ("all", "positive", "negative", "absolute")
COLOUR_MAPS = ("diverging", "magnitude")
OVERLAYS = ("", "heatmap", "outline")


class ImageViewBase(ViewWidget):
    """What the image views share: their data widget, the selection, and the traits that link them."""

    _repr_traits: ClassVar[tuple[str, ...]] = ("data", "instance", "output", "method")
    _not_keywords: ClassVar[tuple[str, ...]] = ("error", "data")

    data = traitlets.Instance(ImageData, help="The images and their maps (a data widget).").tag(
        sync=True, **widget_serialization
    )
    selection = traitlets.Instance(Selection, allow_none=True, help="A selection shared with other views.").tag(
        sync=True, **widget_serialization
    )
    instance = traitlets.Int(0, help="The image shown.").tag(sync=True)
    output = traitlets.Int(0, help="The class explained.").tag(sync=True)
    method = traitlets.Unicode("", help="The method shown (empty: the data's first).").tag(sync=True)
    controls = traitlets.Bool(True, help="Show the view's own pickers.").tag(sync=True)

    def __init__(self, attribution: Attribution | ImageData, *, selection: Selection | None = None, **kwargs: Any):
        self._check_keywords(kwargs)
        data = ImageData.of(attribution)
        if selection is not None and not isinstance(selection, Selection):
            raise TypeError(f"selection must be an interpretwidgets Selection; received {type(selection).__name__}")
        self._data_for_checks = data
        valid_index("instance", kwargs.get("instance", 0), data.n_instances)
        valid_index("output", kwargs.get("output", 0), len(data.output_names))
        self._valid_method_name(kwargs.get("method", ""), data)
        if selection is not None:
            limits = {"instance": data.n_instances, "output": len(data.output_names)}
            bind(selection, limits, {name: kwargs.pop(name) for name in SELECTION_TRAITS if name in kwargs})
            kwargs.update({name: getattr(selection, name) for name in SELECTION_TRAITS})
        super().__init__(data=data, selection=selection, **kwargs)
        if selection is not None:
            mirror(self, selection, SELECTION_TRAITS)

    def _source(self) -> ImageData:
        # while the constructor runs, `data` is not set yet: the validators read what it was given
        return self._trait_values.get("data") or self._data_for_checks

    @staticmethod
    def _valid_method_name(method: str, data: ImageData) -> str:
        if method and method not in data.methods:
            raise InvalidValue(f"method must be one of {', '.join(map(repr, data.methods))}; received {method!r}")
        return method

    @traitlets.validate("instance")
    def _valid_instance(self, proposal: dict[str, Any]) -> int:
        return valid_index("instance", proposal["value"], self._source().n_instances)

    @traitlets.validate("output")
    def _valid_output(self, proposal: dict[str, Any]) -> int:
        return valid_index("output", proposal["value"], len(self._source().output_names))

    @traitlets.validate("method")
    def _valid_method(self, proposal: dict[str, Any]) -> str:
        return self._valid_method_name(proposal["value"], self._source())


class ImageView(ImageViewBase):
    """An image with its attribution over it: a heat map, or the top superpixels outlined (LIME).

    Opacity, sign mode, colours, clipping and the outlined superpixels are the view's: changing them in the browser
    redraws there, with no message to the kernel (the traits below are what the view starts with, and follow
    changes made from Python).

    Parameters
    ----------
    attribution : Attribution or ImageData
        An image attribution from ``iw.explain_image`` (values over (C, H, W) or (H, W), the images as ``data``),
        or a data widget shared with other views.
    instance, output : int
        The image and class shown first.
    overlay : "heatmap", "outline" or ""
        A heat map blended over the image, or the top superpixels outlined (as ``mark_boundaries`` outlines LIME's
        mask, each superpixel in its weight's hue); by default the outline for superpixel methods (LIME), the heat
        map otherwise.
    sign : "all", "positive", "negative" or "absolute"
        Which values are shown: every value (two hues), only those that push the class up or down, or magnitudes.
    colormap : "diverging" or "magnitude"
        Two hues by sign, or one ramp by magnitude.
    clip : float
        Colours saturate at this percentile of the magnitudes shown (captum's ``outlier_perc``, from the top).
    opacity : float
        The overlay's strength at full colour, 0 (the image alone) to 1.
    top : int
        Superpixels outlined in the outline mode (LIME's ``num_features``).
    grey_rest : bool
        In the outline mode, grey out the superpixels not outlined (LIME's ``hide_rest``, gentler).
    selection : Selection, optional
        A selection shared with other views (an explorer's).

    Examples
    --------
    >>> attribution = iw.explain_image(model, images, method="integrated_gradients")  # doctest: +SKIP
    >>> iw.ImageView(attribution, instance=3, output=7)  # doctest: +SKIP
    """

    _esm = static_file("image.js")

    overlay = traitlets.Unicode("", help="'heatmap' or 'outline' (empty: by method).").tag(sync=True)
    sign = traitlets.Unicode("all", help="'all', 'positive', 'negative' or 'absolute'.").tag(sync=True)
    colormap = traitlets.Unicode("diverging", help="'diverging' (by sign) or 'magnitude'.").tag(sync=True)
    clip = traitlets.Float(99.0, help="Percentile of the magnitudes at which colours saturate.").tag(sync=True)
    opacity = traitlets.Float(0.7, help="The overlay's strength at full colour, 0 to 1.").tag(sync=True)
    top = traitlets.Int(5, help="Superpixels outlined in the outline mode.").tag(sync=True)
    grey_rest = traitlets.Bool(False, help="Grey out the superpixels not outlined.").tag(sync=True)

    @traitlets.validate("overlay", "sign", "colormap")
    def _valid_choice(self, proposal: dict[str, Any]) -> str:
        name, value = proposal["trait"].name, proposal["value"]
        choices = {"overlay": OVERLAYS, "sign": SIGN_MODES, "colormap": COLOUR_MAPS}[name]
        if value not in choices:
            raise InvalidValue(f"{name} must be one of {', '.join(map(repr, choices))}; received {value!r}")
        return value

    @traitlets.validate("clip")
    def _valid_clip(self, proposal: dict[str, Any]) -> float:
        if not 50 <= proposal["value"] <= 100:
            raise InvalidValue(f"clip must be a percentile in [50, 100]; received {proposal['value']}")
        return proposal["value"]

    @traitlets.validate("opacity")
    def _valid_opacity(self, proposal: dict[str, Any]) -> float:
        if not 0 <= proposal["value"] <= 1:
            raise InvalidValue(f"opacity must be in [0, 1]; received {proposal['value']}")
        return proposal["value"]

    @traitlets.validate("top")
    def _valid_top(self, proposal: dict[str, Any]) -> int:
        if proposal["value"] < 1:
            raise InvalidValue(f"top must be at least 1; received {proposal['value']}")
        return proposal["value"]


class ImageComparison(ImageViewBase):
    """The same image and class under every method of the data, side by side, with how much the methods agree.

    Agreement is Spearman's rank correlation of the pixels' magnitudes, and the share of one method's top 10 % of
    pixels that the other's top holds too (``iw.kernels.honesty.rank_agreement``). A click on a method selects it.

    Parameters
    ----------
    data : ImageData
        Images with several methods (an explorer's ``image_data``).
    selection : Selection, optional
        A selection shared with other views.
    """

    _esm = static_file("image-compare.js")


class ImageStrip(ImageViewBase):
    """A strip of thumbnails, one per image; a click selects the image."""

    _esm = static_file("image-strip.js")
