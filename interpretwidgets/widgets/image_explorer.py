"""ImageExplorer: an image classifier's attributions, image by image, class by class and method by method, with the
methods side by side and their agreement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets
import numpy as np

from ..data import Attribution, check_index
from ._base import Strict
from ._image_data import ImageData
from ._selection import Selection
from .honesty import HonestyPanel, HonestySource, collapsed
from .image import ImageComparison, ImageStrip, ImageView

#: methods shown by default: two gradient paths, a local-gradient one, a class-activation map and a perturbation
#: method, so that no single method's picture is taken for the model's reasoning
DEFAULT_METHODS = ("integrated_gradients", "gradient_shap", "saliency", "gradcam", "occlusion")


class ImageExplorer(Strict, ipywidgets.VBox):
    """Explore an image classifier: a strip of the images, the selected image with one method's attribution over
    it, and every method side by side with their agreement, linked by ``instance``, ``output`` and ``method``.

    Each attribution (one image, one class, one method) is computed when a view first asks for it, and cached:
    building the explorer runs the model once, on the first image.

    Parameters
    ----------
    model : torch.nn.Module
        An image classifier, (n, C, H, W) → (n, n_classes). Borrowed, as by ``iw.explain_image``.
    images : array_like
        The images, in any layout ``iw.explain_image`` accepts.
    methods : sequence of str, optional
        Methods of ``iw.explain_image`` (default: integrated gradients, GradientShap, saliency, Grad-CAM and
        occlusion); the first is shown first.
    class_names : sequence of str, optional
        One name per class (default ``"class i"``).
    instance, output : int, optional
        What is selected first (default: the first image and its predicted class).
    options : mapping of str to mapping, optional
        Keyword arguments of ``iw.explain_image`` for every method (``{"baseline": "blur"}``) or, under a method's
        name, for that one (``{"lime": {"segmentation": "slic"}}``).
    display : array_like of uint8, shape (n, H, W, 3), optional
        The images as shown, for models that read normalised input.
    random_state : int, optional
        Seeds the sampling methods.
    """

    def __init__(
        self,
        model: Any,
        images: Any,
        methods: Sequence[str] | None = None,
        class_names: Sequence[str] | None = None,
        *,
        instance: int = 0,
        output: int | None = None,
        options: Mapping[str, Any] | None = None,
        display: Any = None,
        random_state: int | None = 0,
        **kwargs: Any,
    ) -> None:
        self._check_keywords(kwargs)
        from ..kernels._image_inputs import expected_channels, image_batch
        from ..kernels._models import is_torch_module
        from ..kernels.image import IMAGE

        if not is_torch_module(model):
            raise TypeError(f"ImageExplorer needs a torch.nn.Module; received {type(model).__name__}")
        methods = list(DEFAULT_METHODS if methods is None else methods)
        if not methods:
            raise ValueError("methods must name at least one method of iw.explain_image; received none")
        for method in methods:
            IMAGE.get(method)  # an unknown name fails here, listing the registered ones
        common, per_method = _options(options, methods)
        pixels = image_batch(images, expected_channels(model))
        instance = check_index("instance", instance, len(pixels))
        scores = _scores(model, pixels[instance : instance + 1])
        names = _class_names(class_names, scores.shape[-1])
        output = int(np.argmax(scores[0])) if output is None else check_index("output", output, len(names))
        self.images = pixels

        def explain(method: str, i: int, k: int) -> tuple[Attribution, int, int]:
            from ..kernels.image import explain_image

            chosen = {**common, **per_method.get(method, {})}
            one = explain_image(
                model, pixels[i : i + 1], method, target=k, output_names=names, random_state=random_state,
                progress=False, **chosen,
            )  # fmt: skip
            return one, 0, 0

        self.image_data = ImageData(pixels, explain, methods=methods, output_names=names, display=display)
        self.selection = Selection(
            limits={"instance": len(pixels), "output": len(names)}, instance=instance, output=output,
            method=methods[0],
        )  # fmt: skip
        self.selection.methods = methods
        shared = {"selection": self.selection}
        self.strip = ImageStrip(self.image_data, **shared)
        self.view = ImageView(self.image_data, **shared)
        self.comparison = ImageComparison(self.image_data, **shared)
        source = _honesty_source(model, pixels, self.image_data, common, per_method, random_state)
        self.honesty = HonestyPanel(source, self.selection)
        for view in (self.view, self.comparison):  # side by side where they fit
            view.layout.flex = "1 1 420px"
            view.layout.min_width = "0"
        row = ipywidgets.HBox([self.view, self.comparison], layout={"flex_flow": "row wrap"})
        super().__init__([self.strip, row, collapsed(self.honesty)], **kwargs)

    def attribution_for(self, instance: int, output: int | None = None, method: str | None = None) -> Attribution:
        """The attribution of one image for one class by one method (default: the selected ones), computed once."""
        attribution, _, _ = self.image_data.attribution_for(
            method or self.selection.method,
            instance,
            self.selection.output if output is None else output,
        )
        return attribution

    def __repr__(self) -> str:
        return (
            f"ImageExplorer(images={len(self.images)}, methods={list(self.image_data.methods)}, "
            f"instance={self.selection.instance}, output={self.selection.output}, method={self.selection.method!r})"
        )


#: the baselines the honesty panel's switcher offers for the gradient method (the explorer's own comes first)
SWITCHED_BASELINES = ("zeros", "blur", "uniform")


def _honesty_source(
    model: Any,
    pixels: np.ndarray,
    data: ImageData,
    common: dict[str, Any],
    per_method: dict[str, dict[str, Any]],
    random_state: int | None,
) -> HonestySource:
    """The honesty panel's view of the explorer: its maps, deletion/insertion curves of one image under a method's
    order, and the gradient method recomputed with another baseline (its own options kept)."""
    from ..kernels.honesty import faithfulness_curves, instance_map
    from ..kernels.image import explain_image

    gradient = next((m for m in ("integrated_gradients", "gradient_shap") if m in data.methods), "")
    chosen = {**common, **per_method.get(gradient, {})}
    own = chosen.get("baseline", "zeros")
    baselines = [own, *(b for b in SWITCHED_BASELINES if b != own)] if isinstance(own, str) else []
    background = common.get("background")

    def flat_map(method: str, instance: int, output: int) -> np.ndarray:
        attribution, row, column = data.attribution_for(method, instance, output)
        return instance_map(attribution, row, column)

    def curves(method: str, instance: int, output: int) -> Any:
        attribution, row, column = data.attribution_for(method, instance, output)
        # removed pixels show the explorer's own baseline (an array or "mean" included), so the curves and the
        # maps speak of the same reference
        return faithfulness_curves(
            model, pixels[instance : instance + 1], attribution, output=column, instances=[row], target=output,
            baseline=own, background=background, random_state=random_state, progress=False,
        )  # fmt: skip

    def rebaselined(baseline: str, instance: int, output: int) -> np.ndarray:
        if baseline == own:  # the map the explorer shows, not a second computation of it
            return flat_map(gradient, instance, output)
        one = explain_image(
            model, pixels[instance : instance + 1], gradient, target=output, random_state=random_state,
            progress=False, **{**chosen, "baseline": baseline},
        )  # fmt: skip
        return instance_map(one, 0, 0)

    return HonestySource(
        methods=data.methods, output_names=data.output_names, n_instances=data.n_instances, flat_map=flat_map,
        curves=curves, unit="pixel", gradient_method=gradient, baselines=baselines, rebaselined=rebaselined,
    )  # fmt: skip


def _options(options: Mapping[str, Any] | None, methods: list[str]) -> tuple[dict[str, Any], dict[str, dict]]:
    """Split ``options`` into keywords for every method and keywords per method."""
    if options is None:
        return {}, {}
    if not isinstance(options, Mapping):
        raise TypeError(f"options must be a mapping of keyword arguments; received {type(options).__name__}")
    common = {k: v for k, v in options.items() if k not in methods}
    per_method = {}
    for method in methods:
        chosen = options.get(method, {})
        if not isinstance(chosen, Mapping):
            raise TypeError(f"options[{method!r}] must be a mapping of keyword arguments; received {chosen!r}")
        per_method[method] = dict(chosen)
    for name in ("model", "images", "method", "target", "output_names", "random_state", "progress"):
        if name in common or any(name in chosen for chosen in per_method.values()):
            raise ValueError(f"options must not set {name!r}: the explorer sets it (use its own arguments)")
    return common, per_method


def _scores(model: Any, pixels: np.ndarray) -> np.ndarray:
    """The model's scores for ``pixels`` (n, C, H, W), the model borrowed and its device respected."""
    import torch

    from ..kernels._borrow import borrowed

    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    dtype = parameter.dtype if parameter is not None else torch.float32
    with borrowed(model), torch.no_grad():
        model.eval()
        scores = model(torch.as_tensor(pixels, dtype=dtype, device=device))
    return scores.reshape(len(pixels), -1).detach().cpu().double().numpy()


def _class_names(names: Sequence[str] | None, n_classes: int) -> list[str]:
    if names is None:
        return [f"class {k}" for k in range(n_classes)]
    names = [str(n) for n in names]
    if len(names) != n_classes:
        raise ValueError(f"class_names must have one name per class of the model ({n_classes}); received {len(names)}")
    return names
