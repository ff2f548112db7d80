"""StackedForce: the force plots of many instances side by side."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import traitlets

from ..explanation import Attribution
from ._base import array_trait, static_file
from ._tabular import TabularView

ORDERINGS = ("original", "output", "similarity", "feature")


class StackedForce(TabularView):
    """Force plots of all instances, rotated and stacked side by side (shap's "additive force array").

    Parameters
    ----------
    attribution : Attribution
        Tabular attribution, ``values`` of shape (n_instances, n_features, n_outputs).
    output : int
        The output (class) shown; synced.
    ordering : {"original", "output", "similarity", "feature"}
        How instances are ordered along the x axis: as given, by output value, by similarity of their
        explanations (hierarchical clustering, see ``Attribution.similarity_order``), or by the value of the
        selected ``feature``. The view has a menu for it.
    instance : int
        Set by clicking a column; marked in the view.
    feature : int
        The feature used by ``ordering="feature"``.
    """

    _esm = static_file("stacked.js")
    _repr_traits: ClassVar[tuple[str, ...]] = ("attribution", "output", "ordering", "instance")

    ordering = traitlets.Enum(ORDERINGS, "original", help="Order of the instances along the x axis.").tag(sync=True)
    similarity_order = array_trait("int32")

    def __init__(
        self, attribution: Attribution, output: int = 0, ordering: str = "original", instance: int = 0, **kwargs: Any
    ) -> None:
        if ordering not in ORDERINGS:
            raise ValueError(f"ordering must be one of {', '.join(ORDERINGS)}; received {ordering!r}")
        self._similarity: dict[int, np.ndarray] = {}
        super().__init__(attribution, instance=instance, output=output, ordering=ordering, **kwargs)
        self._refresh_similarity()

    @traitlets.observe("ordering", "output", "values")
    def _refresh_similarity(self, change: dict[str, Any] | None = None) -> None:
        if change is not None and change["name"] == "values":
            self._similarity.clear()
        if self.ordering != "similarity":
            return
        # computed once per output, only when asked for: clustering is the one costly step of this view
        if self.output not in self._similarity:
            self._similarity[self.output] = self.attribution.similarity_order(self.output)
        self.similarity_order = self._similarity[self.output]
