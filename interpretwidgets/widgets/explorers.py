"""Explorers: several views of one model's explanations, computed once and linked by their selections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets
import numpy as np
import traitlets

from ..explanation import Attribution
from ._base import check_keywords, valid_index
from .beeswarm import Beeswarm
from .dependence import DependencePlot
from .force import ForcePlot
from .stacked import StackedForce
from .waterfall import Waterfall

_SHARED = ("instance", "output", "feature")


class TabularExplorer(ipywidgets.VBox):
    """Beeswarm, stacked force, force, waterfall and dependence plots of one model, linked.

    Attributions are computed once, at construction. The views share ``instance``, ``output`` and ``feature``:
    the canvas/SVG views link in the browser (``jslink``, no Python round trip), the explorer's own traits and the
    bqplot dependence plot follow through Python. With ``lime=True`` a LIME explanation of the selected instance
    is computed when the instance is first selected (cached) and shown beside the waterfall, so two methods can
    be compared on the same prediction.

    Parameters
    ----------
    model : fitted model
        Anything :func:`interpretwidgets.explain_tabular` accepts for ``method``.
    X : array_like or pandas.DataFrame, shape (n_instances, n_features)
        The instances to explain.
    y : array_like, optional
        True labels, shown next to the selected instance.
    method : str
        The attribution method (see ``explain_tabular``).
    feature_names, class_names : sequence of str, optional
        Names of the features and of the outputs.
    lime : bool
        Add the lazily computed LIME view (ignored when ``method="lime"``).
    background, random_state, n_samples :
        Passed to ``explain_tabular``.
    """

    instance = traitlets.Int(0).tag(sync=True)
    output = traitlets.Int(0).tag(sync=True)
    feature = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        model: Any,
        X: Any,
        y: Any = None,
        method: str = "tree",
        feature_names: Sequence[str] | None = None,
        class_names: Sequence[str] | None = None,
        *,
        lime: bool = True,
        background: Any = None,
        random_state: int | None = 0,
        n_samples: int | None = None,
        **kwargs: Any,
    ) -> None:
        check_keywords(type(self).__name__, kwargs, ["layout"])
        from ..kernels._inputs import tabular_matrix
        from ..kernels.tabular import explain_tabular

        matrix, names = tabular_matrix(X, feature_names)
        if y is not None and len(y) != len(matrix):
            raise ValueError(f"y must have one label per row of X ({len(matrix)}); received {len(y)}")
        self._model, self._X, self._y = model, matrix, None if y is None else np.asarray(y)
        self._explain_kwargs = {"background": background, "random_state": random_state, "n_samples": n_samples}
        self.attribution: Attribution = explain_tabular(
            model, matrix, method, feature_names=names, output_names=class_names, **self._explain_kwargs
        )
        a = self.attribution
        output = min(1, a.n_outputs - 1)  # the positive class of a binary classifier
        self.beeswarm = Beeswarm(a, output=output)
        self.stacked = StackedForce(a, output=output)
        self.force = ForcePlot(a, output=output)
        self.waterfall = Waterfall(a, output=output)
        linked = [self.beeswarm, self.stacked, self.force, self.waterfall]
        for view in linked[1:]:
            for name in _SHARED:
                ipywidgets.jslink((linked[0], name), (view, name))
        self.dependence = DependencePlot(a, feature=0, output=output)
        self.lime: Waterfall | None = None
        self._lime_cache: dict[int, Attribution] = {}
        self._status = ipywidgets.Label()
        super().__init__(**kwargs)
        self.output = output
        for name in _SHARED:
            ipywidgets.link((self, name), (self.beeswarm, name))
            ipywidgets.link((self, name), (self.dependence, name))
        comparison: list[ipywidgets.Widget] = [self.waterfall]
        if lime and method != "lime":
            self.lime = Waterfall(self._lime_for(self.instance), output=output, max_display=10)
            comparison.append(self.lime)
            for view in comparison:
                view.layout.width = "50%"
        self.children = [
            self._status,
            self.beeswarm,
            self.stacked,
            self.force,
            ipywidgets.HBox(comparison),
            self.dependence,
        ]
        self._describe()

    @traitlets.validate("instance", "output", "feature")
    def _valid_selection(self, proposal: dict[str, Any]) -> int:
        name = proposal["trait"].name
        a = self.attribution
        size = {"instance": a.n_instances, "output": a.n_outputs, "feature": a.n_features}[name]
        return valid_index(name, proposal["value"], size)

    @traitlets.observe("instance", "output")
    def _follow_selection(self, change: dict[str, Any]) -> None:
        if self.lime is not None:
            with self.lime.hold_sync():
                self.lime.attribution = self._lime_for(self.instance)
                self.lime.output = self.output
        self._describe()

    def _lime_for(self, instance: int) -> Attribution:
        """LIME for one instance, computed on first selection and cached (the one costly step of a click)."""
        if instance not in self._lime_cache:
            from ..kernels.tabular import explain_tabular

            options = self._explain_kwargs
            self._lime_cache[instance] = explain_tabular(
                self._model, self._X[instance : instance + 1], "lime",
                feature_names=self.attribution.feature_names, output_names=self.attribution.output_names,
                background=self._X if options["background"] is None else options["background"],
                random_state=options["random_state"], n_samples=options["n_samples"],
            )  # fmt: skip
        return self._lime_cache[instance]

    def _describe(self) -> None:
        a = self.attribution
        i, k = self.instance, self.output
        parts = [f"instance {i}", f"{a.output_names[k]} = {a.output_values[i, k]:.3g} ({a.output_space or 'raw'})"]
        if self._y is not None:
            parts.append(f"true label: {self._label(self._y[i])}")
        parts.append(f"method: {a.method}")
        if self.lime is not None:
            gap = self._lime_cache[i].convergence_delta
            if gap is not None:
                parts.append(f"LIME surrogate misses the model by {abs(gap[0, k]):.3g} here")
        self._status.value = " · ".join(parts)

    def _label(self, label: Any) -> str:
        """A true label by its output name when the model's classes map onto the outputs."""
        classes = list(np.asarray(getattr(self._model, "classes_", [])).ravel())
        names = self.attribution.output_names
        if label in classes and len(classes) == len(names):
            return names[classes.index(label)]
        return str(label)

    def __repr__(self) -> str:
        return f"TabularExplorer(attribution={self.attribution!r}, instance={self.instance}, output={self.output})"
