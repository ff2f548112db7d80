"""How far to trust an explanation: the agreement between methods.

Two methods that explain the same prediction often disagree (Krishna et al. 2022, "The disagreement problem"); a view
that shows one method's picture shows, beside it, how much the others agree with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Agreement", "rank_agreement"]

#: the share of features (pixels, tokens) counted as a method's "top" ones
TOP_FRACTION = 0.1


@dataclass(frozen=True)
class Agreement:
    """Pairwise agreement between the attributions of several methods for one prediction.

    Attributes
    ----------
    spearman : numpy.ndarray, shape (n_methods, n_methods)
        Spearman's rank correlation of the features' magnitudes (NaN where a map is constant).
    top_overlap : numpy.ndarray, shape (n_methods, n_methods)
        The share of each method's top ``top_fraction`` features (by magnitude) that the other's top holds too.
    top_fraction : float
        The share of features counted as the top.
    """

    spearman: np.ndarray
    top_overlap: np.ndarray
    top_fraction: float


def rank_agreement(maps: Sequence[Any], top_fraction: float = TOP_FRACTION) -> Agreement:
    """How much the attributions of several methods agree on which features matter.

    Magnitudes are compared, not signed values: gradient magnitudes (saliency) have no sign, and a feature that
    pulls the output down matters as much as one that pushes it up. Ties (the pixels of one superpixel) share their
    mean rank.

    Parameters
    ----------
    maps : sequence of array_like
        One attribution per method, all of the same shape (e.g. one value per pixel).
    top_fraction : float in (0, 1]
        The share of features counted as each method's top ones (at least one feature).

    Returns
    -------
    Agreement

    Raises
    ------
    ValueError
        Fewer than one map, maps of different shapes, or ``top_fraction`` outside (0, 1].
    """
    from scipy.stats import rankdata

    arrays = [np.abs(np.asarray(m, dtype=np.float64)).ravel() for m in maps]
    if not arrays:
        raise ValueError("rank_agreement needs at least one map; received none")
    shapes = {np.shape(m) for m in maps}
    if len(shapes) != 1:
        raise ValueError(f"every map must have the same shape; received {sorted(shapes)}")
    if isinstance(top_fraction, bool) or not isinstance(top_fraction, int | float) or not 0 < top_fraction <= 1:
        raise ValueError(f"top_fraction must be a number in (0, 1]; received {top_fraction!r}")
    ranks = np.stack([rankdata(a) for a in arrays])
    with np.errstate(invalid="ignore", divide="ignore"):
        spearman = np.corrcoef(ranks) if len(arrays) > 1 else np.ones((1, 1))
    constant = ranks.std(axis=1) == 0
    spearman = np.where(constant[:, None] | constant[None, :], np.nan, np.atleast_2d(spearman))
    k = max(1, round(top_fraction * arrays[0].size))
    tops = [set(np.argsort(-a, kind="stable")[:k].tolist()) for a in arrays]
    overlap = np.array([[len(a & b) / k for b in tops] for a in tops])
    return Agreement(spearman=spearman, top_overlap=overlap, top_fraction=float(top_fraction))
