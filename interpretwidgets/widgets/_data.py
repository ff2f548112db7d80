"""Data widgets: an attribution held once in the browser and referenced by every view that shows it.

A view references its data widget (``widget_serialization``); the front end resolves the reference and decodes
each data model once, shared by all its views (js/src/lib/attribution.ts). Facts derived from the data that cost
real work (a similarity order, an interaction search, LIME for one instance) are requests to the data widget,
computed on demand and cached here.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import traitlets

from .._transfer import encode, wire_values
from ..data import Attribution
from ._base import DataWidget, PerInstance, SharedWidgets, array_trait
from ._messages import RequestServer, index_param

__all__ = ["AttributionData", "AttributionSource", "LazyAttributionData"]


class AttributionSource(DataWidget):
    """What every view of an attribution needs before any values: how many instances, the names, the method.

    ``kind`` tells the front end how to get an instance's values: ``"full"`` holds every instance's arrays,
    ``"lazy"`` computes one instance on request.
    """

    kind = traitlets.Unicode("full", read_only=True).tag(sync=True)
    n_instances = traitlets.Int(0, help="Number of explained instances.").tag(sync=True)
    feature_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    output_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    method = traitlets.Unicode("", help="The method that produced the values.").tag(sync=True)
    output_space = traitlets.Unicode("").tag(sync=True)
    baseline = traitlets.Unicode("", help="What the base value is.").tag(sync=True)

    @property
    def n_features(self) -> int:
        """Number of features of one instance."""
        return len(self.feature_names)

    @property
    def n_outputs(self) -> int:
        """Number of outputs (classes)."""
        return len(self.output_names)


class AttributionData(AttributionSource):
    """One attribution's arrays as binary traits, sent to the browser once whatever the number of views.

    Parameters
    ----------
    attribution : Attribution
        The attribution held. Assigning ``data.attribution = other`` replaces every array in one message: each
        view of this data redraws once.

    Notes
    -----
    :meth:`of` returns the data widget already made for an attribution, so that standalone views of the same
    :class:`~interpretwidgets.Attribution` share one copy in the browser.
    """

    _repr_traits: ClassVar[tuple[str, ...]] = ("method", "n_instances")
    _shared: ClassVar[SharedWidgets[AttributionData]] = SharedWidgets()

    #: the values as they travel (see ``values_dtype``); ``attribution.values`` has them in full
    values = array_trait(dtype=lambda widget: widget.values_dtype)
    base_values = array_trait()
    data = array_trait()
    convergence_delta = array_trait()
    feature_conditions = traitlets.List(traitlets.List(traitlets.Unicode())).tag(sync=True)
    #: text: each instance's tokens (values are padded with zeros after them)
    tokens = traitlets.List(traitlets.List(traitlets.Unicode())).tag(sync=True)

    def __init__(self, attribution: Attribution | Any, **kwargs: Any) -> None:
        attribution = to_attribution(attribution)
        self._attribution = attribution
        self._derived: dict[tuple[Any, ...], Any] = {}
        super().__init__(**_traits(attribution, wire=True), **kwargs)
        handlers = {"similarity_order": self._similarity_order, "interaction": self._interaction}
        self._server = RequestServer(self, handlers)

    @classmethod
    def of(cls, attribution: Attribution | AttributionData | Any) -> AttributionData:
        """The data widget of ``attribution`` (or of a ``shap.Explanation``): the one made before for the same
        object, or a new one."""
        if isinstance(attribution, AttributionData):
            return attribution
        attribution = to_attribution(attribution)
        return cls._shared.get(attribution, lambda: cls(attribution), lambda widget: widget.attribution)

    @property
    def attribution(self) -> Attribution:
        """The attribution held."""
        return self._attribution

    @attribution.setter
    def attribution(self, attribution: Attribution | Any) -> None:
        attribution = to_attribution(attribution)
        with self.hold_sync():
            self._attribution = attribution
            self._derived.clear()
            for name, value in _traits(attribution, wire=True).items():
                self.set_trait(name, value)

    @property
    def values_dtype(self) -> str:
        """How the values travel: ``"float16"`` for large attributions where that moves nothing by a pixel (see
        ``_transfer.wire_values``), else ``"float32"``."""
        return "float16" if self.values.dtype == np.float16 else "float32"

    @property
    def requests(self) -> RequestServer:
        """The server answering this data's requests (``similarity_order``, ``interaction``)."""
        return self._server

    def similarity_order(self, output: int) -> np.ndarray:
        """Instances ordered by similarity of their explanations of ``output`` (computed once per output)."""
        from ..kernels.ordering import similarity_order

        key = ("similarity", output)
        if key not in self._derived:
            self._derived[key] = similarity_order(self._attribution, output)
        return self._derived[key]

    def interaction(self, feature: int, output: int) -> int | None:
        """The feature that seems to interact most with ``feature`` for ``output`` (computed once per pair)."""
        from ..kernels.interactions import strongest_interaction

        key = ("interaction", feature, output)
        if key not in self._derived:
            self._derived[key] = strongest_interaction(self._attribution, feature, output)
        return self._derived[key]

    def _similarity_order(self, params: dict[str, Any]) -> dict[str, Any]:
        output = index_param(params, "output", self._attribution.n_outputs)
        return {"output": output, "order": encode(self.similarity_order(output), "int32")}

    def _interaction(self, params: dict[str, Any]) -> dict[str, Any]:
        feature = index_param(params, "feature", self._attribution.n_features)
        output = index_param(params, "output", self._attribution.n_outputs)
        return {"feature": feature, "output": output, "interaction": self.interaction(feature, output)}


class LazyAttributionData(AttributionSource):
    """Attributions computed one instance at a time, when a view asks for that instance (e.g. LIME in an explorer).

    Parameters
    ----------
    compute : callable
        ``compute(instance) -> Attribution`` of one instance (``values`` of shape (1, n_features, n_outputs)).
        Called on request, never in a trait observer; each result is cached.
    n_instances : int
        How many instances can be asked for.
    feature_names, output_names : sequence of str
        The names the results will carry.
    method : str
        The method ``compute`` runs, shown before the first result arrives.
    """

    kind = traitlets.Unicode("lazy", read_only=True).tag(sync=True)
    _repr_traits: ClassVar[tuple[str, ...]] = ("method", "n_instances")

    def __init__(
        self,
        compute: Callable[[int], Attribution],
        n_instances: int,
        *,
        feature_names: Sequence[str],
        output_names: Sequence[str],
        method: str,
        output_space: str = "",
        baseline: str = "",
        **kwargs: Any,
    ) -> None:
        if not callable(compute):
            raise TypeError(f"compute must be a callable instance -> Attribution; received {type(compute).__name__}")
        self._results: PerInstance[Attribution] = PerInstance(compute, lambda: self.n_instances, self._check_result)
        super().__init__(
            n_instances=n_instances, feature_names=list(feature_names), output_names=list(output_names),
            method=method, output_space=output_space, baseline=baseline, **kwargs,
        )  # fmt: skip
        self._server = RequestServer(self, {"attribution": self._attribution_request})

    @property
    def requests(self) -> RequestServer:
        """The server answering this data's ``attribution`` requests."""
        return self._server

    @property
    def computed(self) -> tuple[int, ...]:
        """The instances computed so far."""
        return self._results.computed

    def attribution_for(self, instance: int) -> Attribution:
        """The attribution of one instance: computed on first use, then cached."""
        return self._results.get(instance)

    def _check_result(self, instance: int, result: Any) -> None:
        check_attribution(result)
        if result.n_instances != 1 or result.n_features != self.n_features or result.n_outputs != self.n_outputs:
            raise ValueError(
                f"compute({instance}) must return one instance with {self.n_features} features and "
                f"{self.n_outputs} outputs; received values of shape {result.values.shape}"
            )

    def _attribution_request(self, params: dict[str, Any]) -> dict[str, Any]:
        instance = index_param(params, "instance", self.n_instances)
        traits = _traits(self.attribution_for(instance))
        for name in _ARRAYS:
            traits[name] = None if traits[name] is None else encode(traits[name])
        return {"instance": instance, **traits}


def as_source(attribution: Any, owner: str) -> AttributionSource:
    """What a view was given as its data widget: an Attribution (or a ``shap.Explanation``) becomes the shared
    :class:`AttributionData` of it; a data widget is used as it is."""
    if isinstance(attribution, AttributionSource):
        return attribution
    return AttributionData.of(to_attribution(attribution, owner))


#: the Attribution read from each shap.Explanation given to a view, so that views of one explanation share one widget
_read_from_shap: weakref.WeakKeyDictionary[Any, Attribution] = weakref.WeakKeyDictionary()


def to_attribution(value: Any, owner: str = "") -> Attribution:
    """``value`` as an :class:`~interpretwidgets.Attribution`: a ``shap.Explanation`` is accepted wherever an
    Attribution is (read once per explanation); anything else is a ``TypeError``."""
    if isinstance(value, Attribution):
        return value
    if hasattr(value, "values") and hasattr(value, "base_values"):
        try:
            read = _read_from_shap.get(value)
        except TypeError:  # not weak-referenceable: read it each time
            return Attribution.from_shap(value)
        if read is None:
            read = _read_from_shap[value] = Attribution.from_shap(value)
        return read
    subject, alternatives = (
        (f"{owner} expected", "a shap.Explanation, or a data widget") if owner else ("expected", "a shap.Explanation")
    )
    raise TypeError(f"{subject} an interpretwidgets.Attribution (or {alternatives}); received {type(value).__name__}")


def check_attribution(attribution: Any) -> None:
    """``TypeError`` unless ``attribution`` is an :class:`~interpretwidgets.Attribution`."""
    if not isinstance(attribution, Attribution):
        raise TypeError(f"expected an interpretwidgets.Attribution; received {type(attribution).__name__}")


_ARRAYS = ("values", "base_values", "data", "convergence_delta")


def _traits(attribution: Attribution, wire: bool = False) -> dict[str, Any]:
    """The values that carry ``attribution`` to the browser (trait values here, reply content for lazy data);
    ``wire``: the values as they travel (float16 where that shows no difference)."""
    axes = tuple(range(1, attribution.values.ndim - 1))
    return {
        "n_instances": attribution.n_instances,
        "values": wire_values(attribution.values, axes) if wire else attribution.values,
        "base_values": attribution.base_values,
        "data": attribution.data,
        "convergence_delta": attribution.convergence_delta,
        "feature_names": list(attribution.feature_names or ()),
        "feature_conditions": [list(row) for row in attribution.feature_conditions or ()],
        "tokens": [list(row) for row in getattr(attribution, "tokens", None) or ()],
        "output_names": list(attribution.output_names),
        "method": attribution.method,
        "output_space": attribution.output_space,
        "baseline": attribution.baseline,
    }
