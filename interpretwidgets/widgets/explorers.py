"""Explorers: several views of one model's explanations, computed once, on one data model and one selection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets
import numpy as np

from ..data import Attribution, check_feature, check_index
from ._base import Strict
from ._data import AttributionData, LazyAttributionData
from ._selection import Selection
from .beeswarm import Beeswarm
from .controls import ControlBar
from .dependence import DependencePlot
from .force import ForcePlot
from .honesty import HonestyPanel, HonestySource, collapsed
from .stacked import StackedForce
from .waterfall import Waterfall

__all__ = ["TabularExplorer"]


def _selected(name: str, doc: str) -> property:
    """A property that reads and writes the explorer's shared selection (the one place the selection lives)."""

    def get(self: TabularExplorer) -> Any:
        return getattr(self.selection, name)

    def set(self: TabularExplorer, value: Any) -> None:
        setattr(self.selection, name, value)

    return property(get, set, doc=doc)


class TabularExplorer(Strict, ipywidgets.VBox):
    """Beeswarm, stacked force, force, waterfall and dependence plots of one model, as one instrument.

    The attributions are computed once, at construction, and sent to the browser once (one data widget that every
    view references). Every view reads and writes one :class:`Selection` in the browser: a click anywhere is one
    state update to the kernel and every view follows without a Python round trip. One control bar holds the
    instance, class and method pickers; the views hide their own.

    With ``lime=True`` LIME is a second method, computed for an instance when a view first shows it (on request,
    cached): the force plot and the left waterfall show the method picked in the control bar, the right waterfall
    the other one, so that two methods can be compared on the same prediction.

    Parameters
    ----------
    model : fitted model
        Anything :func:`interpretwidgets.explain_tabular` accepts for ``method``.
    X : array_like or pandas.DataFrame, shape (n_instances, n_features)
        The instances to explain.
    y : array_like, optional
        True labels (or values), shown beside the prediction of the selected instance.
    method : str
        The attribution method computed for every instance (see ``explain_tabular``).
    feature_names, class_names : sequence of str, optional
        Names of the features and of the outputs.
    lime : bool
        Add LIME, computed per instance on request (ignored when ``method="lime"``).
    background, random_state, n_samples :
        Passed to ``explain_tabular``.
    instance, output : int, optional
    feature : int or str, optional
        What is selected first (``feature`` by index or name). By default instance 0, its predicted class (the
        output the model scores highest for it; the control bar says when the shown class is the predicted one), and
        the feature with the largest mean |contribution| to that output (the dependence plot's feature).

    Attributes
    ----------
    selection : Selection
        What is selected; observe or link it (``explorer.selection.observe(f, "instance")``).
    data : AttributionData
        The attributions of ``method``, shared by every view.
    lime : LazyAttributionData or None
        LIME, one instance at a time.
    """

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
        instance: int = 0,
        output: int | None = None,
        feature: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        self._check_keywords(kwargs)
        from ..kernels._inputs import tabular_matrix
        from ..kernels.tabular import TABULAR, explain_tabular

        TABULAR.get(method)  # an unknown method fails here, before any work
        matrix, names = tabular_matrix(X, feature_names)
        if y is not None and len(y) != len(matrix):
            raise ValueError(f"y must have one label per row of X ({len(matrix)}); received {len(y)}")
        instance = check_index("instance", instance, len(matrix))  # before any work
        if feature is not None:
            feature = check_feature(feature, names, len(names))
        a = explain_tabular(
            model, matrix, method, feature_names=names, output_names=class_names, background=background,
            random_state=random_state, n_samples=n_samples,
        )  # fmt: skip
        output = predicted_output(a, instance) if output is None else check_index("output", output, a.n_outputs)
        if feature is None:
            feature = most_important_feature(a, output)
        self.data = AttributionData.of(a)  # a view of the same attribution made later shares it
        self.selection = Selection(
            limits={"instance": a.n_instances, "output": a.n_outputs, "feature": a.n_features},
            instance=instance,
            output=output,
            feature=feature,
            method=a.method,
        )
        self.lime: LazyAttributionData | None = None
        if lime and method != "lime":
            self.lime = LazyAttributionData(
                _lime_for(model, matrix, a, background, random_state, n_samples), a.n_instances,
                feature_names=names, output_names=a.output_names, method="lime",
            )  # fmt: skip
        methods = [self.lime] if self.lime is not None else []
        true_values, true_names = _truth(model, y, a)
        shared: dict[str, Any] = {"selection": self.selection, "controls": False}
        self.controls = ControlBar(
            self.data, self.selection, alternatives=methods, true_values=true_values, true_names=true_names
        )
        self.beeswarm = Beeswarm(self.data, **shared)
        self.stacked = StackedForce(self.data, **shared)
        self.force = ForcePlot(self.data, alternatives=methods, **shared)
        self.waterfall = Waterfall(self.data, alternatives=methods, **shared)
        self.comparison: Waterfall | None = None
        pair: list[ipywidgets.Widget] = [self.waterfall]
        if methods:
            self.comparison = Waterfall(self.data, alternatives=methods, compare=True, **shared)
            pair.append(self.comparison)
            for view in pair:  # side by side where both fit, one under the other where they do not
                view.layout.flex = "1 1 420px"
                view.layout.min_width = "0"
        self.dependence = DependencePlot(self.data, selection=self.selection)
        source = _honesty_source(model, matrix, a, self.lime, background, n_samples, random_state)
        self.honesty = HonestyPanel(source, self.selection)
        super().__init__(
            [
                self.controls,
                self.beeswarm,
                self.stacked,
                self.force,
                ipywidgets.HBox(pair, layout={"flex_flow": "row wrap"}),
                self.dependence,
                collapsed(self.honesty),
            ],
            **kwargs,
        )

    @property
    def attribution(self) -> Attribution:
        """The attributions of the explorer's method, for every instance."""
        return self.data.attribution

    instance = _selected("instance", "The selected instance (``explorer.selection.instance``).")
    output = _selected("output", "The selected output (class).")
    feature = _selected("feature", "The selected feature.")

    @property
    def method(self) -> str:
        """The method the force plot and the left waterfall show."""
        return self.selection.method

    @method.setter
    def method(self, value: str) -> None:
        known = [self.data.method] + ([self.lime.method] if self.lime is not None else [])
        if value not in known:
            raise ValueError(f"method must be one of {', '.join(map(repr, known))}; received {value!r}")
        self.selection.method = value

    def __repr__(self) -> str:
        return (
            f"TabularExplorer(attribution={self.attribution!r}, instance={self.instance}, output={self.output}, "
            f"method={self.method!r})"
        )


def predicted_output(a: Attribution, instance: int) -> int:
    """The output the model scores highest for ``instance``: its predicted class (0 for a single output)."""
    return int(np.argmax(a.output_values[instance]))


def most_important_feature(a: Attribution, output: int) -> int:
    """The feature with the largest mean |contribution| to ``output`` (the beeswarm's top row)."""
    flat = np.abs(a.values[..., output]).reshape(a.n_instances, -1)
    return int(np.argmax(flat.mean(axis=0)))


def _honesty_source(
    model: Any,
    X: np.ndarray,
    a: Attribution,
    lime: LazyAttributionData | None,
    background: Any,
    n_samples: int | None,
    random_state: int | None,
) -> HonestySource:
    """The honesty panel's view of the explorer: its method and LIME, and for a torch model explained by integrated
    gradients, the picture with the other baseline (all zeros, or the background's mean)."""
    from ..kernels.honesty import faithfulness_curves, instance_map

    methods = [a.method] + ([lime.method] if lime is not None else [])
    reference = X if background is None else background

    def attribution_of(method: str, instance: int) -> tuple[Attribution, np.ndarray, int]:
        if method == a.method:
            return a, X, instance
        assert lime is not None
        return lime.attribution_for(instance), X[instance : instance + 1], 0

    def flat_map(method: str, instance: int, output: int) -> np.ndarray:
        attribution, _, row = attribution_of(method, instance)
        return instance_map(attribution, row, output)

    def curves(method: str, instance: int, output: int) -> Any:
        attribution, inputs, row = attribution_of(method, instance)
        return faithfulness_curves(
            model, inputs, attribution, output=output, instances=[row], background=reference, progress=False
        )

    gradient = a.method if a.method == "integrated_gradients" else ""
    zeros, mean = "zeros", "mean of the background" if background is not None else "mean of the data"
    # the explorer's own first: its integrated gradients start from the background's mean when one was given
    baselines = ([mean, zeros] if background is not None else [zeros, mean]) if gradient else []

    def rebaselined(baseline: str, instance: int, output: int) -> np.ndarray:
        from ..kernels.tabular import explain_tabular

        if baseline == baselines[0]:  # the attributions the explorer shows
            return instance_map(a, instance, output)
        one = explain_tabular(
            model, X[instance : instance + 1], gradient, feature_names=a.feature_names, output_names=a.output_names,
            background=None if baseline == zeros else reference, n_samples=n_samples, random_state=random_state,
            progress=False,
        )  # fmt: skip
        return instance_map(one, 0, output)

    return HonestySource(
        methods=methods, output_names=a.output_names, n_instances=a.n_instances, flat_map=flat_map, curves=curves,
        unit="feature", gradient_method=gradient, baselines=baselines, rebaselined=rebaselined if gradient else None,
    )  # fmt: skip


def _lime_for(
    model: Any, X: np.ndarray, a: Attribution, background: Any, random_state: int | None, n_samples: int | None
) -> Any:
    """LIME for one row of ``X``, as the explorer's lazy data computes it on request."""
    from ..kernels.tabular import explain_tabular

    def compute(instance: int) -> Attribution:
        return explain_tabular(
            model, X[instance : instance + 1], "lime", feature_names=a.feature_names, output_names=a.output_names,
            background=X if background is None else background, random_state=random_state, n_samples=n_samples,
            progress=False,
        )  # fmt: skip

    return compute


def _truth(model: Any, y: Any, a: Attribution) -> tuple[np.ndarray | None, list[str]]:
    """True labels as indices into the output names when the model's classes map onto the outputs; numeric values
    (regression) as they are; other labels as indices into their sorted distinct values."""
    if y is None:
        return None, []
    labels = np.asarray(y).ravel()
    classes = list(np.asarray(getattr(model, "classes_", [])).ravel())
    if classes and len(classes) == a.n_outputs and set(labels.tolist()) <= set(classes):
        return np.array([classes.index(v) for v in labels.tolist()], dtype=float), list(a.output_names)
    if labels.dtype.kind in "biuf":
        return labels.astype(float), []
    distinct = sorted({str(v) for v in labels.tolist()})
    return np.array([distinct.index(str(v)) for v in labels.tolist()], dtype=float), distinct
