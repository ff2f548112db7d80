"""What every tabular view shares: a reference to its data, its selection, and the traits that link views."""

from __future__ import annotations

from typing import Any, ClassVar

import traitlets
from ipywidgets import widget_serialization

from ..data import Attribution
from ._base import ViewWidget, valid_index
from ._data import AttributionData, AttributionSource, LazyAttributionData, as_source
from ._selection import Selection, mirror

#: the selection traits a tabular view reads
SELECTION_TRAITS = ("instance", "output", "feature")


class TabularView(ViewWidget):
    """Base of the views of a tabular attribution.

    The attribution lives in a data widget (``data``), sent once and shared by every view that references it. A
    view reads its selection from ``selection`` when it is given one (an explorer's shared :class:`Selection`),
    else from its own ``instance``, ``output`` and ``feature`` traits, which ``ipywidgets.link``/``jslink`` can
    tie together. With a shared selection the view's own traits mirror it in Python.
    """

    _repr_traits: ClassVar[tuple[str, ...]] = ("data", "instance", "output")
    #: whether the view needs every instance's attributions (a global view) or one at a time
    _needs_every_instance: ClassVar[bool] = False
    _not_keywords: ClassVar[tuple[str, ...]] = ("error", "data")

    data = traitlets.Instance(AttributionSource, help="The attribution shown (a data widget).").tag(
        sync=True, **widget_serialization
    )
    selection = traitlets.Instance(Selection, allow_none=True, help="A selection shared with other views.").tag(
        sync=True, **widget_serialization
    )
    instance = traitlets.Int(0, help="The selected instance (row).").tag(sync=True)
    output = traitlets.Int(0, help="The selected output (class).").tag(sync=True)
    feature = traitlets.Int(0, help="The selected feature (column).").tag(sync=True)
    controls = traitlets.Bool(True, help="Show the view's own instance and output controls.").tag(sync=True)

    def __init__(
        self,
        attribution: Attribution | AttributionSource | Any,
        instance: int = 0,
        output: int = 0,
        *,
        selection: Selection | None = None,
        controls: bool = True,
        **kwargs: Any,
    ) -> None:
        self._check_keywords(kwargs)
        source = as_source(attribution, type(self).__name__)
        self._validate_source(source)
        if selection is not None and not isinstance(selection, Selection):
            raise TypeError(f"selection must be an interpretwidgets Selection; received {type(selection).__name__}")
        if selection is not None:
            instance, output = selection.instance, selection.output
        valid_index("instance", instance, source.n_instances)
        valid_index("output", output, source.n_outputs)
        super().__init__(
            data=source, instance=instance, output=output, selection=selection, controls=controls, **kwargs
        )
        if selection is not None:
            mirror(self, selection, SELECTION_TRAITS)

    @property
    def attribution(self) -> Attribution:
        """The attribution shown. Assigning another one points the view at its data widget and clamps the
        selection: the view redraws once."""
        if not isinstance(self.data, AttributionData):
            raise AttributeError(
                f"{type(self).__name__} shows attributions computed one instance at a time: "
                "use view.data.attribution_for(instance)"
            )
        return self.data.attribution

    @attribution.setter
    def attribution(self, attribution: Attribution | AttributionSource | Any) -> None:
        source = as_source(attribution, type(self).__name__)
        self._validate_source(source)
        with self.hold_sync():
            self.set_trait("error", "")
            self.data = source  # first: the selection's validators read it
            if self.selection is None:
                self.instance = min(self.instance, source.n_instances - 1)
                self.output = min(self.output, source.n_outputs - 1)
                self.feature = min(self.feature, source.n_features - 1)

    def _validate_source(self, source: AttributionSource) -> None:
        if isinstance(source, LazyAttributionData) and self._needs_every_instance:
            raise TypeError(
                f"{type(self).__name__} shows every instance at once; it needs an AttributionData, not attributions "
                "computed one instance at a time"
            )
        if isinstance(source, AttributionData):
            shape = source.attribution.feature_shape
            if len(shape) != 1:
                raise ValueError(
                    f"{type(self).__name__} shows tabular attributions with values of shape "
                    f"(n_instances, n_features, n_outputs); received feature shape {shape}"
                )

    @traitlets.validate("data")
    def _valid_data(self, proposal: dict[str, Any]) -> AttributionSource:
        self._validate_source(proposal["value"])
        return proposal["value"]

    @traitlets.validate("instance")
    def _valid_instance(self, proposal: dict[str, Any]) -> int:
        return valid_index("instance", proposal["value"], self.data.n_instances)

    @traitlets.validate("output")
    def _valid_output(self, proposal: dict[str, Any]) -> int:
        return valid_index("output", proposal["value"], self.data.n_outputs)

    @traitlets.validate("feature")
    def _valid_feature(self, proposal: dict[str, Any]) -> int:
        return valid_index("feature", proposal["value"], self.data.n_features)


class InstanceView(TabularView):
    """A view of one instance at a time (force plot, waterfall), which can follow the selection's method.

    ``alternatives`` are other attributions of the same instances (e.g. LIME computed on request beside TreeSHAP);
    when the shared selection's ``method`` names one of them, the view shows it. With ``compare=True`` the view
    shows the first attribution whose method is *not* the selected one: the comparison panel of an explorer.
    """

    alternatives = traitlets.List(
        traitlets.Instance(AttributionSource), help="Other attributions of the same instances, by method."
    ).tag(sync=True, **widget_serialization)
    compare = traitlets.Bool(False, help="Show the first method other than the selected one.").tag(sync=True)

    @traitlets.validate("alternatives")
    def _valid_alternatives(self, proposal: dict[str, Any]) -> list[AttributionSource]:
        for source in proposal["value"]:
            if (source.n_instances, source.n_outputs) != (self.data.n_instances, self.data.n_outputs):
                raise ValueError(
                    "alternatives must explain the same instances and outputs as data "
                    f"({self.data.n_instances} × {self.data.n_outputs}); received {source.method!r} with "
                    f"{source.n_instances} × {source.n_outputs}"
                )
        return proposal["value"]
