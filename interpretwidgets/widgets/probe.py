"""ProbeView: what a linear probe reads from each layer, beside a control task, linked by ``layer`` (bqplot)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import ipywidgets
import numpy as np
import traitlets
from ipywidgets import widget_serialization

from ._base import Strict, ViewWidget, static_file
from ._selection import Selection, bind, mirror

__all__ = ["ProbeView"]


class ProbeLink(ViewWidget):
    """The part of a ProbeView that lives in the browser: a click on a layer's point becomes one update of the
    selection there, and the selected layer is highlighted from it; its view is the caption."""

    _esm = static_file("probe.js")

    selection = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    points = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    highlight = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    #: per probed layer: its name, the selection's layer it stands for (-1: none), and its numbers
    layers = traitlets.List(traitlets.Dict()).tag(sync=True)
    chance = traitlets.Float(0.0).tag(sync=True)


class ProbeView(Strict, ipywidgets.VBox):
    """Probe accuracy per layer with its spread over the folds, the control task's accuracy and chance; a click on a
    layer sets ``layer`` in the selection, so attention views beside it go to that layer.

    A probe that reads a property from a layer shows that the property can be *decoded* there by a linear model, not
    that the model *uses* it. The control task (Hewitt & Liang 2019: each input type given a random label) shows how
    much a probe learns by memorising: selectivity, the gap between the two, is what the view leads with.

    Parameters
    ----------
    result : ProbeResult
        From ``iw.probe(model, inputs, labels, layers=...)``.
    selection : Selection, optional
        A selection shared with other views (an attention grid's): a click sets its ``layer``.
    layer : int, optional
        The selection's layer shown first.
    layer_map : mapping of str to int, optional
        The selection's layer each probed layer stands for (by name). By default a name ending in a number
        (``encoder.layer.3``) stands for that layer and the others (``embeddings``) for none: a click on them
        highlights them here only.
    """

    _repr_traits: ClassVar[tuple[str, ...]] = ("layer",)

    layer = traitlets.Int(0, help="The selected layer (the selection's numbering).").tag(sync=True)

    def __init__(
        self,
        result: Any,
        *,
        selection: Selection | None = None,
        layer_map: Mapping[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        self._check_keywords(kwargs)
        import bqplot

        names, numbers = _read(result)
        targets = _targets(names, layer_map)
        if selection is not None and not isinstance(selection, Selection):
            raise TypeError(f"selection must be an interpretwidgets Selection; received {type(selection).__name__}")
        if selection is not None:
            known = [t for t in targets if t >= 0]
            if known:
                bind(selection, {"layer": max(known) + 1}, {k: kwargs.pop(k) for k in ("layer",) if k in kwargs})
        x = np.arange(len(names), dtype=float)
        accuracy, spread = numbers["accuracy"], numbers["accuracy_std"]
        control, chance = numbers["control_accuracy"], float(result.chance)
        scales = {"x": bqplot.LinearScale(min=-0.5, max=len(names) - 0.5), "y": bqplot.LinearScale(min=0.0, max=1.0)}
        # one vertical segment per layer: accuracy ± one standard deviation over the folds
        bars = bqplot.Lines(
            x=np.stack([x, x], axis=1),
            y=np.stack([accuracy - spread, accuracy + spread], axis=1).clip(0, 1),
            scales=scales,
            colors=["#8d5fa6"],
            stroke_width=2,
            interactions={},
        )
        probe = bqplot.Lines(
            x=x,
            y=accuracy,
            scales=scales,
            colors=["#d55e00"],
            stroke_width=2,
            marker="circle",
            marker_size=40,
            labels=["probe"],
            display_legend=True,
            interactions={},
        )
        marks = [bars, probe]
        if not np.all(np.isnan(control)):
            marks.append(
                bqplot.Lines(
                    x=x,
                    y=control,
                    scales=scales,
                    colors=["#0072b2"],
                    line_style="dashed",
                    stroke_width=2,
                    marker="square",
                    marker_size=30,
                    labels=["control task"],
                    display_legend=True,
                    interactions={},
                )
            )
        marks.append(
            bqplot.Lines(
                x=[-0.5, len(names) - 0.5],
                y=[chance, chance],
                scales=scales,
                colors=["#888888"],
                line_style="dotted",
                labels=["chance"],
                display_legend=True,
                interactions={},
            )
        )
        # the points a click lands on (one per layer, invisible but for their hit area), and the selected layer
        self._points = bqplot.Scatter(
            x=x, y=accuracy, scales=scales, default_size=160, opacities=[0.0], interactions={}
        )
        self._highlight = bqplot.Scatter(
            x=x[:1],
            y=accuracy[:1],
            scales=scales,
            default_size=220,
            fill=False,
            stroke_width=2.5,
            colors=["black"],
            interactions={},
        )
        marks += [self._points, self._highlight]
        labels = _short_labels(names)
        axes = [
            bqplot.Axis(
                scale=scales["x"],
                label="layer",
                tick_values=x,
                tick_labels={i: label for i, label in enumerate(labels)},  # int keys: they match the ticks in JSON
                tick_rotate=-30 if max(map(len, labels)) > 6 else 0,
            ),
            bqplot.Axis(scale=scales["y"], side="left", label="accuracy", tick_format=".0%"),
        ]
        self._figure = bqplot.Figure(
            marks=marks,
            axes=axes,
            legend_location="bottom-right",
            fig_margin={"top": 12, "bottom": 56, "left": 64, "right": 16},
            layout={"width": "100%", "height": "320px"},
        )
        rows = [
            {"name": name, "target": int(target), **{key: _number(values[i]) for key, values in numbers.items()}}
            for i, (name, target) in enumerate(zip(names, targets, strict=True))
        ]
        super().__init__(**kwargs)
        self.result = result
        self._link = ProbeLink(
            selection=selection if selection is not None else self,
            points=self._points,
            highlight=self._highlight,
            layers=rows,
            chance=chance,
        )
        self.children = [self._figure, self._link]
        if selection is not None:
            mirror(self, selection, ("layer",))


def _read(result: Any) -> tuple[list[str], dict[str, np.ndarray]]:
    """The layer names and per-layer numbers of a ProbeResult, checked."""
    keys = ("accuracy", "accuracy_std", "control_accuracy", "control_std", "selectivity")
    if not hasattr(result, "layers") or not all(hasattr(result, k) for k in (*keys, "chance")):
        raise TypeError(f"ProbeView expected a ProbeResult (from iw.probe); received {type(result).__name__}")
    names = [str(n) for n in result.layers]
    numbers = {k: np.asarray(getattr(result, k), dtype=float).reshape(-1) for k in keys}
    if not names or any(len(v) != len(names) for v in numbers.values()):
        raise ValueError(f"a ProbeResult needs one number per layer for each of {', '.join(keys)}")
    return names, numbers


def _targets(names: Sequence[str], layer_map: Mapping[str, int] | None) -> list[int]:
    """The selection's layer each probed layer stands for: ``layer_map``, else a trailing number in its name."""
    if layer_map is not None:
        unknown = sorted(set(layer_map) - set(names))
        if unknown:
            raise ValueError(f"layer_map names layers that were not probed: {unknown}; probed: {list(names)}")
        return [int(layer_map.get(name, -1)) for name in names]
    found = [re.search(r"(\d+)$", name) for name in names]
    return [int(m.group(1)) if m else -1 for m in found]


def _short_labels(names: Sequence[str]) -> list[str]:
    """Axis labels: the names' last parts when those tell them apart (``encoder.layer.3`` → ``3``), else the names."""
    last = [name.rsplit(".", 1)[-1] for name in names]
    return last if len(set(last)) == len(last) else list(names)


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
