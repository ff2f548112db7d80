"""HonestyPanel: how far to trust an explorer's picture — agreement between its methods, deletion and insertion
curves against chance (bqplot), and a baseline switcher that shows how far the picture moves with the baseline.

Everything is computed on request, for the selected instance, class and method, and cached: the panel asks through
its data widget (``HonestyData``) like every other view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import ipywidgets
import numpy as np
import traitlets
from ipywidgets import widget_serialization

from .._transfer import encode
from ._base import DataWidget, Strict, ViewWidget, static_file
from ._messages import RequestServer, index_param
from ._selection import Selection

__all__ = ["HonestyData", "HonestyPanel", "HonestySource", "collapsed"]

#: the title of an explorer's honesty panel
TITLE = "How far to trust this picture: agreement, deletion/insertion curves, baselines"


@dataclass
class HonestySource:
    """What an explorer gives its honesty panel.

    Attributes
    ----------
    methods : sequence of str
        The explorer's methods.
    output_names : sequence of str
        The classes.
    n_instances : int
        How many instances (rows, texts, images).
    flat_map : callable
        ``flat_map(method, instance, output) -> (n_features,)`` one value per feature, token or pixel, computed once.
    curves : callable
        ``curves(method, instance, output) -> FaithfulnessCurves`` of that instance alone.
    unit : str
        What a feature is ("feature", "token", "pixel").
    gradient_method : str
        The method whose baseline can be switched ("" when the explorer has none).
    baselines : sequence of str
        The baselines it can be switched to; the first is the one the explorer uses.
    rebaselined : callable, optional
        ``rebaselined(baseline, instance, output) -> (n_features,)``: the gradient method's map with that baseline.
    """

    methods: Sequence[str]
    output_names: Sequence[str]
    n_instances: int
    flat_map: Callable[[str, int, int], np.ndarray]
    curves: Callable[[str, int, int], Any]
    unit: str = "feature"
    gradient_method: str = ""
    baselines: Sequence[str] = ()
    rebaselined: Callable[[str, int, int], np.ndarray] | None = None
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    def cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


class HonestyData(DataWidget):
    """The honesty panel's data: answers ``agreement {instance, output}``, ``curves {instance, output, method}``
    and ``baseline {instance, output, baseline}`` from a :class:`HonestySource`, each computed once."""

    _repr_traits: ClassVar[tuple[str, ...]] = ("methods", "baselines")

    n_instances = traitlets.Int(1).tag(sync=True)
    methods = traitlets.List(traitlets.Unicode()).tag(sync=True)
    output_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    unit = traitlets.Unicode("feature").tag(sync=True)
    gradient_method = traitlets.Unicode("").tag(sync=True)
    baselines = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(self, source: HonestySource, **kwargs: Any) -> None:
        if not isinstance(source, HonestySource):
            raise TypeError(f"HonestyData expected a HonestySource; received {type(source).__name__}")
        self._source = source
        super().__init__(
            n_instances=source.n_instances, methods=list(source.methods), output_names=list(source.output_names),
            unit=source.unit, gradient_method=source.gradient_method, baselines=list(source.baselines), **kwargs,
        )  # fmt: skip
        handlers = {"agreement": self._agreement, "curves": self._curves, "baseline": self._baseline}
        self._server = RequestServer(self, handlers)

    @property
    def requests(self) -> RequestServer:
        return self._server

    @property
    def source(self) -> HonestySource:
        return self._source

    def _indices(self, params: dict[str, Any]) -> tuple[int, int]:
        return index_param(params, "instance", self.n_instances), index_param(params, "output", len(self.output_names))

    def _method(self, params: dict[str, Any]) -> str:
        method = str(params.get("method") or self.methods[0])
        if method not in self.methods:
            raise ValueError(f"method must be one of {', '.join(map(repr, self.methods))}; received {method!r}")
        return method

    def agreement(self, instance: int, output: int) -> Any:
        """The rank agreement of every method's map for one instance and output."""
        from ..kernels.honesty import rank_agreement

        source = self._source
        return source.cached(
            ("agreement", instance, output),
            lambda: rank_agreement([source.flat_map(m, instance, output) for m in source.methods]),
        )

    def _agreement(self, params: dict[str, Any]) -> dict[str, Any]:
        instance, output = self._indices(params)
        agreement = self.agreement(instance, output)
        return {
            "instance": instance,
            "output": output,
            "methods": list(self.methods),
            "spearman": encode(agreement.spearman, "float32"),
            "kendall": encode(agreement.kendall, "float32"),
            "top_overlap": encode(agreement.top_overlap, "float32"),
            "top_fraction": agreement.top_fraction,
        }

    def curves(self, method: str, instance: int, output: int) -> Any:
        """The deletion and insertion curves of one instance under one method's order."""
        source = self._source
        return source.cached(("curves", method, instance, output), lambda: source.curves(method, instance, output))

    def _curves(self, params: dict[str, Any]) -> dict[str, Any]:
        instance, output = self._indices(params)
        method = self._method(params)
        curves = self.curves(method, instance, output)
        reply: dict[str, Any] = {"instance": instance, "output": output, "method": method}
        for name in ("fractions", "deletion", "insertion", "random_deletion", "random_insertion"):
            values = np.asarray(getattr(curves, name), dtype=float)
            reply[name] = encode(values if values.ndim == 1 else values[0], "float32")
        for name in ("deletion_auc", "insertion_auc", "random_deletion_auc", "random_insertion_auc"):
            reply[name] = float(np.asarray(getattr(curves, name)).reshape(-1)[0])
        reply.update(unit=curves.unit, baseline=str(curves.baseline), n_random=int(curves.n_random))
        reply["n_units"] = int(np.asarray(curves.n_units).reshape(-1)[0])
        return reply

    def baseline(self, baseline: str, instance: int, output: int) -> dict[str, float]:
        """How far the gradient method's map moves when its baseline is ``baseline`` instead of the first."""
        from ..kernels.honesty import rank_agreement

        source = self._source
        if source.rebaselined is None or not source.gradient_method:
            raise ValueError("this explorer has no gradient method whose baseline can be switched")
        if baseline not in source.baselines:
            raise ValueError(f"baseline must be one of {', '.join(map(repr, source.baselines))}; received {baseline!r}")

        def compare() -> dict[str, float]:
            first = source.cached(("rebaselined", source.baselines[0], instance, output),
                                  lambda: source.rebaselined(source.baselines[0], instance, output))  # fmt: skip
            other = source.cached(("rebaselined", baseline, instance, output),
                                  lambda: source.rebaselined(baseline, instance, output))  # fmt: skip
            agreement = rank_agreement([first, other])
            signed = float(np.corrcoef(first, other)[0, 1]) if first.std() > 0 and other.std() > 0 else float("nan")
            numbers = {
                "spearman": float(agreement.spearman[0, 1]),
                "top_overlap": float(agreement.top_overlap[0, 1]),
                "top_fraction": agreement.top_fraction,
                "pearson_signed": signed,
                "total_first": float(first.sum()),
                "total_other": float(other.sum()),
            }
            # NaN (a constant map) is not JSON: it travels as null
            return {k: (v if np.isfinite(v) else None) for k, v in numbers.items()}

        return source.cached(("baseline", baseline, instance, output), compare)

    def _baseline(self, params: dict[str, Any]) -> dict[str, Any]:
        instance, output = self._indices(params)
        baseline = str(params.get("baseline", ""))
        return {
            "instance": instance,
            "output": output,
            "baseline": baseline,
            **self.baseline(baseline, instance, output),
        }


class HonestyLink(ViewWidget):
    """The panel's view: the agreement table, the curves' numbers and the baseline switcher; it fills the bqplot
    curves in the browser from the data's replies."""

    _esm = static_file("honesty.js")

    data = traitlets.Instance(HonestyData).tag(sync=True, **widget_serialization)
    selection = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    lines = traitlets.List(traitlets.Instance(ipywidgets.Widget)).tag(sync=True, **widget_serialization)
    y_scale = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)


class HonestyPanel(Strict, ipywidgets.VBox):
    """How far to trust the picture an explorer shows, for its selected instance, class and method.

    - **Agreement between methods**: Spearman's rank correlation of their magnitudes (and Kendall's tau, and the share
      of top features they share). Methods that disagree cannot all be right.
    - **Deletion and insertion curves** (Petsiuk et al. 2018): the model's output as the method's most important
      features are removed (or inserted over the baseline), beside random orders. A faithful method drops the
      output faster than chance when deleting, and raises it faster when inserting.
    - **Baseline switcher**: the gradient method recomputed with another baseline, and how far its picture moved.

    Parameters
    ----------
    source : HonestySource or HonestyData
        What the explorer gives (explorers build it).
    selection : Selection
        The explorer's selection (``instance``, ``output``, ``method``).
    """

    def __init__(self, source: HonestySource | HonestyData, selection: Selection, **kwargs: Any) -> None:
        self._check_keywords(kwargs)
        import bqplot

        if not isinstance(selection, Selection):
            raise TypeError(f"selection must be an interpretwidgets Selection; received {type(selection).__name__}")
        data = source if isinstance(source, HonestyData) else HonestyData(source)
        scales = {"x": bqplot.LinearScale(min=0.0, max=1.0), "y": bqplot.LinearScale()}
        styles = (
            ("deletion", "#0072b2", "solid"), ("insertion", "#d55e00", "solid"),
            ("deletion, random order", "#0072b2", "dashed"), ("insertion, random order", "#d55e00", "dashed"),
        )  # fmt: skip
        lines = [
            bqplot.Lines(
                x=[0.0],
                y=[0.0],
                scales=scales,
                colors=[colour],
                line_style=style,
                stroke_width=2,
                labels=[label],
                display_legend=False,  # the panel's own legend (text, in the theme's colours) says what is what
                interactions={},
            )
            for label, colour, style in styles
        ]
        axes = [
            bqplot.Axis(scale=scales["x"], label=f"share of {data.unit}s removed / inserted", tick_format=".0%"),
            bqplot.Axis(scale=scales["y"], side="left", label="model output"),
        ]
        self.figure = bqplot.Figure(
            marks=lines, axes=axes,
            fig_margin={"top": 12, "bottom": 52, "left": 64, "right": 16}, layout={"width": "100%", "height": "300px"},
        )  # fmt: skip
        self.data = data
        self.link = HonestyLink(data=data, selection=selection, lines=lines, y_scale=scales["y"])
        super().__init__([self.link, self.figure], **kwargs)


def collapsed(panel: HonestyPanel) -> ipywidgets.Accordion:
    """``panel`` in a closed accordion: nothing is computed until a reader opens it (a hidden view asks for
    nothing)."""
    accordion = ipywidgets.Accordion([panel], selected_index=None)
    accordion.set_title(0, TITLE)
    return accordion
