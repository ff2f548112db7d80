"""Waterfall: one instance's attributions as sorted bars from the base value to the output."""

from __future__ import annotations

from typing import Any, ClassVar

import traitlets

from ..data import Attribution
from ._base import at_least, static_file
from ._tabular import InstanceView


class Waterfall(InstanceView):
    """SHAP-style waterfall: bars sorted by |contribution|, the rest summed as "N other features".

    Parameters
    ----------
    attribution : Attribution, shap.Explanation or data widget
        Tabular attribution, ``values`` of shape (n_instances, n_features, n_outputs). LIME attributions show
        LIME's own feature conditions (``"x <= 3.2"``) as labels.
    instance, output : int
        The selection shown; synced with the browser.
    max_display : int
        How many bars at most, the last one summing the remaining features (at least 2).
    **kwargs
        ``selection``, ``controls``, ``alternatives``, ``compare``, ``layout`` (see ``ForcePlot``).
    """

    _esm = static_file("waterfall.js")
    _repr_traits: ClassVar[tuple[str, ...]] = ("data", "instance", "output", "max_display")

    max_display = traitlets.Int(10, help="Bars shown; the last sums the remaining features.").tag(sync=True)

    def __init__(
        self, attribution: Attribution | Any, instance: int = 0, output: int = 0, max_display: int = 10, **kwargs: Any
    ) -> None:
        super().__init__(attribution, instance=instance, output=output, max_display=max_display, **kwargs)

    @traitlets.validate("max_display")
    def _valid_max_display(self, proposal: dict[str, Any]) -> int:
        return at_least("max_display", proposal["value"], 2)
