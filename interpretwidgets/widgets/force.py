"""ForcePlot: the additive force layout of one instance's attributions."""

from __future__ import annotations

from ._base import static_file
from ._tabular import InstanceView


class ForcePlot(InstanceView):
    """SHAP-style force plot: from the base value, features push the output up (warm) or down (cool).

    Parameters
    ----------
    attribution : Attribution, shap.Explanation or data widget
        Tabular attribution, ``values`` of shape (n_instances, n_features, n_outputs).
    instance : int
        The instance shown; synced with the browser (the view's own controls set it).
    output : int
        The output (class) shown; synced with the browser.
    selection : Selection, optional
        A selection shared with other views; the view then reads and writes it instead of its own traits.
    controls : bool
        Show the view's own instance and output controls (an explorer's control bar replaces them).
    **kwargs
        Other synced traits (e.g. ``layout``, ``alternatives``); an unknown keyword raises ``TypeError``.

    Examples
    --------
    >>> plot = iw.ForcePlot(iw.explain_tabular(model, X), instance=3)  # doctest: +SKIP
    >>> plot.instance = 4  # the view redraws  # doctest: +SKIP
    """

    _esm = static_file("force.js")
