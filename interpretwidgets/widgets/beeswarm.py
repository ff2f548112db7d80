"""Beeswarm: every instance's contributions, one row per feature, coloured by feature value."""

from __future__ import annotations

from typing import Any, ClassVar

import traitlets

from ..data import Attribution
from ._base import at_least, static_file
from ._tabular import TabularView


class Beeswarm(TabularView):
    """SHAP-style summary plot on a canvas: one point per instance and feature, clickable.

    Parameters
    ----------
    attribution : Attribution, shap.Explanation or AttributionData
        Tabular attribution, ``values`` of shape (n_instances, n_features, n_outputs).
    output : int
        The output (class) shown; synced.
    instance : int
        The selected instance: set by clicking a point (or ← → on the focused plot) and highlighted. A click sets
        ``feature`` to the clicked row too, in the same state update.
    max_display : int
        How many features (rows), the ones with the largest mean |contribution|.
    **kwargs
        ``selection``, ``controls``, ``layout`` (see ``ForcePlot``).
    """

    _esm = static_file("beeswarm.js")
    _repr_traits: ClassVar[tuple[str, ...]] = ("data", "output", "instance", "max_display")
    _needs_every_instance = True

    max_display = traitlets.Int(12, help="Rows shown: the features with the largest mean |contribution|.").tag(
        sync=True
    )

    def __init__(
        self, attribution: Attribution | Any, output: int = 0, instance: int = 0, max_display: int = 12, **kwargs: Any
    ) -> None:
        super().__init__(attribution, instance=instance, output=output, max_display=max_display, **kwargs)

    @traitlets.validate("max_display")
    def _valid_max_display(self, proposal: dict[str, Any]) -> int:
        return at_least("max_display", proposal["value"], 1)
