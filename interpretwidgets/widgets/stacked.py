"""StackedForce: the force plots of many instances side by side."""

from __future__ import annotations

from typing import Any, ClassVar

import traitlets

from ..data import Attribution
from ._base import static_file
from ._tabular import TabularView

ORDERINGS = ("original", "output", "similarity", "feature")


class StackedForce(TabularView):
    """Force plots of all instances, rotated and stacked side by side (shap's "additive force array").

    Parameters
    ----------
    attribution : Attribution, shap.Explanation or AttributionData
        Tabular attribution, ``values`` of shape (n_instances, n_features, n_outputs).
    output : int
        The output (class) shown; synced.
    ordering : {"original", "output", "similarity", "feature"}
        How instances are ordered along the x axis: as given, by output value, by similarity of their
        explanations (hierarchical clustering, computed in Python on request and cached per output; see
        ``AttributionData.similarity_order``), or by the value of the selected ``feature``. The view has a menu
        for it and says which order it has drawn while the similarity order is being computed.
    instance : int
        Set by clicking a column; marked in the view.
    **kwargs
        ``selection``, ``controls``, ``feature``, ``layout`` (see ``ForcePlot``).
    """

    _esm = static_file("stacked.js")
    _repr_traits: ClassVar[tuple[str, ...]] = ("data", "output", "ordering", "instance")
    _needs_every_instance = True

    ordering = traitlets.Enum(ORDERINGS, "original", help="Order of the instances along the x axis.").tag(sync=True)

    def __init__(
        self,
        attribution: Attribution | Any,
        output: int = 0,
        ordering: str = "original",
        instance: int = 0,
        **kwargs: Any,
    ) -> None:
        if ordering not in ORDERINGS:
            raise ValueError(f"ordering must be one of {', '.join(ORDERINGS)}; received {ordering!r}")
        super().__init__(attribution, instance=instance, output=output, ordering=ordering, **kwargs)
