"""DependencePlot: a feature's value against its attribution, coloured by an interacting feature (bqplot)."""

from __future__ import annotations

from typing import Any

import ipywidgets
import traitlets

from ..explanation import Attribution, check_index
from ._base import check_keywords, valid_index
from ._tabular import check_tabular

__all__ = ["DependencePlot"]

_LAYOUT_KEYWORDS = ["layout"]


class DependencePlot(ipywidgets.VBox):
    """SHAP dependence plot as a bqplot scatter: x = feature value, y = its contribution, colour = interaction.

    Parameters
    ----------
    attribution : Attribution
        Tabular attribution with feature values (``data``).
    feature : int or str
        The feature shown (index or name); a synced trait, so ``ipywidgets.link`` can tie it to other views.
    output : int
        The output (class) whose attributions are plotted.
    interaction : "auto", int, str or None
        Colour by this feature; ``"auto"`` picks the strongest interaction with ``shap.utils.approximate_interactions``;
        ``None`` leaves points uncoloured.
    instance : int
        Set by clicking a point; the selected point is highlighted.
    """

    feature = traitlets.Int(0).tag(sync=True)
    output = traitlets.Int(0).tag(sync=True)
    instance = traitlets.Int(0).tag(sync=True)
    interaction = traitlets.Int(None, allow_none=True).tag(sync=True)

    def __init__(
        self,
        attribution: Attribution,
        feature: int | str = 0,
        output: int = 0,
        interaction: int | str | None = "auto",
        instance: int = 0,
        **kwargs: Any,
    ) -> None:
        check_keywords(type(self).__name__, kwargs, _LAYOUT_KEYWORDS)
        check_tabular(attribution, "DependencePlot")
        if attribution.data is None:
            raise ValueError("DependencePlot needs the feature values: the attribution has data=None")
        attribution.check_index(instance, output)
        self._attribution = attribution
        self._auto_interaction = interaction == "auto"
        import bqplot

        colours = ["#0072b2", "#aaaaaa", "#d55e00"]
        self._scales = {
            "x": bqplot.LinearScale(),
            "y": bqplot.LinearScale(),
            "color": bqplot.ColorScale(colors=colours),
        }
        self._scatter = bqplot.Scatter(
            scales=self._scales, default_size=24, interactions={"click": "select"},
            selected_style={"stroke": "black", "stroke-width": 2, "opacity": 1.0},
            unselected_style={"opacity": 0.75},
        )  # fmt: skip
        self._x_axis = bqplot.Axis(scale=self._scales["x"], label="")
        self._y_axis = bqplot.Axis(scale=self._scales["y"], orientation="vertical", label="")
        self._colour_axis = bqplot.ColorAxis(scale=self._scales["color"], side="right", label="")
        self._figure = bqplot.Figure(
            marks=[self._scatter], axes=[self._x_axis, self._y_axis, self._colour_axis],
            fig_margin={"top": 30, "bottom": 50, "left": 70, "right": 90}, layout={"width": "100%", "height": "360px"},
        )  # fmt: skip
        self._scatter.on_element_click(self._clicked)
        self._ready = False  # observers wait: the interaction is resolved and the plot drawn once, below
        super().__init__([self._figure], **kwargs)
        self.output = output
        self.feature = self._feature_index(feature)
        self.interaction = self._resolve_interaction(interaction)
        self.instance = instance
        self._ready = True
        self._redraw()

    @property
    def attribution(self) -> Attribution:
        """The attribution shown."""
        return self._attribution

    def _feature_index(self, feature: int | str) -> int:
        names = list(self._attribution.feature_names or ())
        if isinstance(feature, str):
            if feature not in names:
                raise ValueError(f"feature must be one of the feature names or an index; received {feature!r}")
            return names.index(feature)
        return check_index("feature", feature, self._attribution.n_features)

    def _resolve_interaction(self, interaction: int | str | None) -> int | None:
        if interaction is None:
            return None
        if interaction == "auto":
            import shap

            ranked = shap.utils.approximate_interactions(
                self.feature, self._attribution.values[..., self.output], self._attribution.data
            )
            return int(next(i for i in ranked if i != self.feature))
        return self._feature_index(interaction)

    @traitlets.validate("feature", "output", "instance")
    def _valid_index(self, proposal: dict[str, Any]) -> int:
        name = proposal["trait"].name
        sizes = {"feature": self._attribution.n_features, "output": self._attribution.n_outputs}
        return valid_index(name, proposal["value"], sizes.get(name, self._attribution.n_instances))

    @traitlets.observe("feature", "output")
    def _follow_feature(self, change: dict[str, Any]) -> None:
        if not self._ready:
            return
        if self._auto_interaction:
            self.interaction = self._resolve_interaction("auto")
        self._redraw()

    @traitlets.observe("interaction")
    def _follow_interaction(self, change: dict[str, Any]) -> None:
        if self._ready:
            self._redraw()

    @traitlets.observe("instance")
    def _follow_instance(self, change: dict[str, Any]) -> None:
        if self._ready:
            self._scatter.selected = [self.instance]

    def _clicked(self, scatter: Any, event: dict[str, Any]) -> None:
        self.instance = int(event["data"]["index"])

    def _redraw(self) -> None:
        a = self._attribution
        names = a.feature_names or ()
        with self._scatter.hold_sync():
            self._scatter.x = a.data[:, self.feature]
            self._scatter.y = a.values[:, self.feature, self.output]
            self._scatter.color = None if self.interaction is None else a.data[:, self.interaction]
            self._scatter.selected = [self.instance]
        self._x_axis.label = f"{names[self.feature]} (feature value)"
        self._y_axis.label = f"contribution to {a.output_names[self.output]}"
        self._colour_axis.label = "" if self.interaction is None else names[self.interaction]
        self._figure.title = f"Dependence of {a.output_names[self.output]} on {names[self.feature]}"
        self._colour_axis.visible = self.interaction is not None

    def __repr__(self) -> str:
        return f"DependencePlot(attribution={self._attribution!r}, feature={self.feature}, output={self.output})"
