"""The traits every tabular view shares: one attribution, selected by ``instance`` and ``output``."""

from __future__ import annotations

from typing import Any, ClassVar

import traitlets

from ..explanation import Attribution
from ._base import ViewWidget, array_trait, valid_index


class TabularView(ViewWidget):
    """Base of the views of a tabular :class:`~interpretwidgets.Attribution`.

    The attribution travels once, as binary arrays; ``instance`` and ``output`` are synced selections that any
    view can set and ``ipywidgets.link``/``jslink`` can tie together.
    """

    _repr_traits: ClassVar[tuple[str, ...]] = ("attribution", "instance", "output")

    values = array_trait()
    base_values = array_trait()
    data = array_trait()
    feature_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    feature_conditions = traitlets.List(traitlets.List(traitlets.Unicode())).tag(sync=True)
    output_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    method = traitlets.Unicode("").tag(sync=True)
    output_space = traitlets.Unicode("").tag(sync=True)
    baseline = traitlets.Unicode("").tag(sync=True)
    instance = traitlets.Int(0, help="The selected instance (row).").tag(sync=True)
    output = traitlets.Int(0, help="The selected output (class).").tag(sync=True)
    feature = traitlets.Int(0, help="The selected feature (column).").tag(sync=True)

    def __init__(self, attribution: Attribution, instance: int = 0, output: int = 0, **kwargs: Any) -> None:
        check_tabular(attribution, type(self).__name__)
        attribution.check_index(instance, output)
        self._attribution = attribution
        super().__init__(instance=instance, output=output, **attribution_traits(attribution), **kwargs)

    @property
    def attribution(self) -> Attribution:
        """The attribution shown; assigning a new one redraws the view and clamps the selection."""
        return self._attribution

    @attribution.setter
    def attribution(self, attribution: Attribution) -> None:
        check_tabular(attribution, type(self).__name__)
        with self.hold_sync():
            self._attribution = attribution
            self.instance = min(self.instance, attribution.n_instances - 1)
            self.output = min(self.output, attribution.n_outputs - 1)
            self.feature = min(self.feature, attribution.n_features - 1)
            self.set_trait("error", "")
            for name, value in attribution_traits(attribution).items():
                self.set_trait(name, value)

    @traitlets.validate("instance")
    def _valid_instance(self, proposal: dict[str, Any]) -> int:
        return valid_index("instance", proposal["value"], self._attribution.n_instances)

    @traitlets.validate("output")
    def _valid_output(self, proposal: dict[str, Any]) -> int:
        return valid_index("output", proposal["value"], self._attribution.n_outputs)

    @traitlets.validate("feature")
    def _valid_feature(self, proposal: dict[str, Any]) -> int:
        return valid_index("feature", proposal["value"], self._attribution.n_features)


def check_tabular(attribution: Any, view: str) -> None:
    """Raise unless ``attribution`` is an Attribution with one feature axis."""
    if not isinstance(attribution, Attribution):
        raise TypeError(f"expected an interpretwidgets.Attribution; received {type(attribution).__name__}")
    if len(attribution.feature_shape) != 1:
        raise ValueError(
            f"{view} shows tabular attributions with values of shape (n_instances, n_features, n_outputs); "
            f"received feature shape {attribution.feature_shape}"
        )


def attribution_traits(attribution: Attribution) -> dict[str, Any]:
    """The trait values that carry ``attribution`` to the browser."""
    return {
        "values": attribution.values,
        "base_values": attribution.base_values,
        "data": attribution.data,
        "feature_names": list(attribution.feature_names or ()),
        "feature_conditions": [list(row) for row in attribution.feature_conditions or ()],
        "output_names": list(attribution.output_names),
        "method": attribution.method,
        "output_space": attribution.output_space,
        "baseline": attribution.baseline,
    }
