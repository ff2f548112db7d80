"""DependencePlot: a feature's value against its attribution, coloured by an interacting feature (bqplot)."""

from __future__ import annotations

from typing import Any, ClassVar

import ipywidgets
import traitlets
from ipywidgets import widget_serialization

from ..data import Attribution, check_feature
from ._base import Strict, ViewWidget, static_file, valid_index
from ._data import AttributionData, as_source
from ._selection import Selection, mirror
from ._tabular import SELECTION_TRAITS

__all__ = ["DependencePlot"]


class DependenceLink(ViewWidget):
    """The part of a DependencePlot that lives in the browser: it fills the bqplot scatter from the shared data and
    follows the selection there (no Python round trip, nothing sent twice); its view is the caption."""

    _esm = static_file("dependence.js")

    data = traitlets.Instance(AttributionData).tag(sync=True, **widget_serialization)
    selection = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    scatter = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    highlight = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    x_axis = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    y_axis = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    colour_scale = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    figure = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    colour_mode = traitlets.Enum(("auto", "fixed", "none"), "auto").tag(sync=True)
    interaction = traitlets.Int(None, allow_none=True).tag(sync=True)


class DependencePlot(Strict, ipywidgets.VBox):
    """SHAP dependence plot as a bqplot scatter: x = feature value, y = its contribution, colour = interaction.

    The scatter is filled in the browser from the attribution's data widget (shared with every other view of it),
    and follows ``feature``, ``output`` and ``instance`` there: clicking a dot selects its instance with one state
    update, and the other views follow without a Python round trip.

    Parameters
    ----------
    attribution : Attribution, shap.Explanation or AttributionData
        Tabular attribution with feature values (``data``).
    feature : int or str
        The feature shown (index or name); a synced trait, so ``ipywidgets.link``/``jslink`` can tie it to other views.
    output : int
        The output (class) whose attributions are plotted.
    interaction : "auto", int, str or None
        Colour by this feature; ``"auto"`` picks the strongest interaction with ``shap.utils.approximate_interactions``
        (computed on request, in Python, cached per feature and output; the caption says so while it runs);
        ``None`` leaves points uncoloured.
    instance : int
        Set by clicking a point; the selected point is highlighted.
    selection : Selection, optional
        A selection shared with other views (an explorer's), read and written instead of this plot's own traits.
    """

    _repr_traits: ClassVar[tuple[str, ...]] = ("feature", "output", "instance")

    feature = traitlets.Int(0).tag(sync=True)
    output = traitlets.Int(0).tag(sync=True)
    instance = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        attribution: Attribution | AttributionData | Any,
        feature: int | str = 0,
        output: int = 0,
        interaction: int | str | None = "auto",
        instance: int = 0,
        *,
        selection: Selection | None = None,
        **kwargs: Any,
    ) -> None:
        self._check_keywords(kwargs)
        import bqplot

        data = as_source(attribution, "DependencePlot")
        if not isinstance(data, AttributionData):
            raise TypeError("DependencePlot shows every instance at once; it needs an AttributionData")
        a = data.attribution
        if len(a.feature_shape) != 1:
            raise ValueError(f"DependencePlot shows tabular attributions; received feature shape {a.feature_shape}")
        if a.data is None:
            raise ValueError("DependencePlot needs the feature values: the attribution has data=None")
        self._data = data
        if selection is not None:
            feature, output, instance = selection.feature, selection.output, selection.instance
        feature = self._feature_index(feature)
        a.check_index(instance, output)
        mode, fixed = self._colour(interaction)
        # the colour scale's colours, range and legend come from the browser: the theme's feature-value ramp (the
        # beeswarm's), clipped at the colour feature's 5th-95th percentiles
        scales = {"x": bqplot.LinearScale(), "y": bqplot.LinearScale(), "color": bqplot.ColorScale()}
        self._scatter = bqplot.Scatter(scales=scales, default_size=24, interactions={}, opacities=[0.85])
        # the selected instance: a mark of its own, as bqplot restyles every dot of a scatter whose selection changes
        self._highlight = bqplot.Scatter(
            scales={"x": scales["x"], "y": scales["y"]}, default_size=90, fill=False, stroke_width=2.5,
            colors=["black"], interactions={}, display_legend=False,  # the browser takes the theme's text colour
        )  # fmt: skip
        axes = (
            bqplot.Axis(scale=scales["x"], side="bottom", label=""),
            # the label clear of tick labels as wide as "-0.0125"
            bqplot.Axis(scale=scales["y"], side="left", label="", label_offset="58px"),
        )
        self._figure = bqplot.Figure(
            marks=[self._scatter, self._highlight], axes=list(axes),
            fig_margin={"top": 12, "bottom": 48, "left": 80, "right": 16}, layout={"width": "100%", "height": "340px"},
        )  # fmt: skip
        super().__init__(**kwargs)
        self.feature, self.output, self.instance = feature, output, instance
        self._link = DependenceLink(
            data=data, selection=selection if selection is not None else self, scatter=self._scatter,
            highlight=self._highlight,
            x_axis=axes[0], y_axis=axes[1], colour_scale=scales["color"], figure=self._figure,
            colour_mode=mode, interaction=fixed,
        )  # fmt: skip
        self.children = [self._figure, self._link]
        if selection is not None:
            mirror(self, selection, SELECTION_TRAITS)

    @property
    def attribution(self) -> Attribution:
        """The attribution shown."""
        return self._data.attribution

    @property
    def data(self) -> AttributionData:
        """The data widget the plot reads (shared with the other views of the same attribution)."""
        return self._data

    @property
    def interaction(self) -> int | str | None:
        """The colour: ``"auto"`` (strongest interaction, found in the browser's request), a feature index, or None."""
        mode = self._link.colour_mode
        return "auto" if mode == "auto" else None if mode == "none" else self._link.interaction

    @interaction.setter
    def interaction(self, interaction: int | str | None) -> None:
        mode, fixed = self._colour(interaction)
        with self._link.hold_sync():
            self._link.interaction = fixed
            self._link.colour_mode = mode

    def colour_feature(self) -> int | None:
        """The feature the points are coloured by for the current feature and output (``"auto"`` runs the search)."""
        if self.interaction == "auto":
            return self._data.interaction(self.feature, self.output)
        return self.interaction  # type: ignore[return-value]

    def _colour(self, interaction: int | str | None) -> tuple[str, int | None]:
        if interaction is None:
            return "none", None
        if interaction == "auto":
            return "auto", None
        return "fixed", self._feature_index(interaction)

    def _feature_index(self, feature: int | str) -> int:
        a = self._data.attribution
        return check_feature(feature, a.feature_names, a.n_features)

    @traitlets.validate("feature", "output", "instance")
    def _valid_index(self, proposal: dict[str, Any]) -> int:
        name = proposal["trait"].name
        a = self._data.attribution
        sizes = {"feature": a.n_features, "output": a.n_outputs, "instance": a.n_instances}
        return valid_index(name, proposal["value"], sizes[name])
