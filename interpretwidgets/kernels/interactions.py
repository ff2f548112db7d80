"""Which other feature seems to interact most with a feature (the dependence plot's colour)."""

from __future__ import annotations

from ..data import Attribution, check_index
from ._random import seeded


def strongest_interaction(attribution: Attribution, feature: int, output: int = 0) -> int | None:
    """The feature whose values best explain the spread of ``feature``'s attributions, or None with one feature.

    shap's ``approximate_interactions`` (binned correlations along the feature's value). It subsamples 10,000 rows
    from numpy's global generator on larger data; that draw is seeded and the caller's random state restored, so
    the answer is deterministic.

    Raises
    ------
    ValueError
        No feature values (``attribution.data is None``) or an index out of range.
    """
    import shap

    if attribution.data is None:
        raise ValueError("the strongest interaction needs the feature values: the attribution has data=None")
    check_index("feature", feature, attribution.n_features)
    check_index("output", output, attribution.n_outputs)
    with seeded(0):
        ranked = shap.utils.approximate_interactions(feature, attribution.values[..., output], attribution.data)
    return next((int(i) for i in ranked if i != feature), None)
