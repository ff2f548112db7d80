"""ForcePlot: the additive force layout of one instance's attributions."""

from __future__ import annotations

from typing import Any, ClassVar

import traitlets

from ..explanation import Attribution
from ._base import ViewWidget, array_trait, static_file, valid_index


class ForcePlot(ViewWidget):
    """SHAP-style force plot: from the base value, features push the output up (warm) or down (cool).

    Parameters
    ----------
    attribution : Attribution
        Tabular attribution, ``values`` of shape (n_instances, n_features, n_outputs).
    instance : int
        The instance shown; synced with the browser (the view's own controls set it).
    output : int
        The output (class) shown; synced with the browser.
    **kwargs
        Other synced traits (e.g. ``layout``); an unknown keyword raises ``TypeError``.

    Examples
    --------
    >>> plot = iw.ForcePlot(iw.explain_tabular(model, X), instance=3)  # doctest: +SKIP
    >>> plot.instance = 4  # the view redraws  # doctest: +SKIP
    """

    _esm = static_file("force.js")
    _repr_traits: ClassVar[tuple[str, ...]] = ("attribution", "instance", "output")

    values = array_trait()
    base_values = array_trait()
    data = array_trait()
    feature_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    output_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    method = traitlets.Unicode("").tag(sync=True)
    output_space = traitlets.Unicode("").tag(sync=True)
    baseline = traitlets.Unicode("").tag(sync=True)
    instance = traitlets.Int(0).tag(sync=True)
    output = traitlets.Int(0).tag(sync=True)

    def __init__(self, attribution: Attribution, instance: int = 0, output: int = 0, **kwargs: Any) -> None:
        _check_tabular(attribution)
        attribution.check_index(instance, output)
        super().__init__(instance=instance, output=output, **_attribution_traits(attribution), **kwargs)
        self._attribution = attribution

    @property
    def attribution(self) -> Attribution:
        """The attribution shown; assigning a new one redraws the view."""
        return self._attribution

    @attribution.setter
    def attribution(self, attribution: Attribution) -> None:
        _check_tabular(attribution)
        with self.hold_sync():
            self._attribution = attribution
            self.instance = min(self.instance, attribution.n_instances - 1)
            self.output = min(self.output, attribution.n_outputs - 1)
            self.set_trait("error", "")
            for name, value in _attribution_traits(attribution).items():
                self.set_trait(name, value)

    @traitlets.validate("instance")
    def _valid_instance(self, proposal: dict[str, Any]) -> int:
        attribution = getattr(self, "_attribution", None)
        size = attribution.n_instances if attribution else len(self.base_values)
        return valid_index("instance", proposal["value"], size)

    @traitlets.validate("output")
    def _valid_output(self, proposal: dict[str, Any]) -> int:
        attribution = getattr(self, "_attribution", None)
        size = attribution.n_outputs if attribution else self.base_values.shape[1]
        return valid_index("output", proposal["value"], size)


def _check_tabular(attribution: Any) -> None:
    if not isinstance(attribution, Attribution):
        raise TypeError(f"expected an interpretwidgets.Attribution; received {type(attribution).__name__}")
    if len(attribution.feature_shape) != 1:
        raise ValueError(
            "ForcePlot shows tabular attributions with values of shape (n_instances, n_features, n_outputs); "
            f"received feature shape {attribution.feature_shape}"
        )


def _attribution_traits(attribution: Attribution) -> dict[str, Any]:
    return {
        "values": attribution.values,
        "base_values": attribution.base_values,
        "data": attribution.data,
        "feature_names": list(attribution.feature_names or ()),
        "output_names": list(attribution.output_names),
        "method": attribution.method,
        "output_space": attribution.output_space,
        "baseline": attribution.baseline,
    }
