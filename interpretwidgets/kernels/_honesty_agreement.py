"""Agreement between methods: rank correlations and top-k overlap of the features' magnitudes.

Two methods that explain the same prediction often disagree (Krishna et al. 2022, "The disagreement problem"); a view
that shows one method's picture shows, beside it, how much the others agree with it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._honesty_common import check_attribution, instance_map, output_index

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
        How much two methods' top ``top_fraction`` features (by magnitude; ties at the threshold all included)
        overlap: the shared ones over the smaller of the two tops.
    top_fraction : float
        The share of features counted as the top.
    kendall : numpy.ndarray, shape (n_methods, n_methods)
        Kendall's tau-b of the features' magnitudes (NaN where a map is constant): the share of feature pairs both
        methods order the same way, less the share they order differently; ties (a superpixel's pixels) are
        corrected for.
    names : tuple of str
        The methods, in the order of the rows and columns (empty when the maps came without names).
    """

    spearman: np.ndarray
    top_overlap: np.ndarray
    top_fraction: float
    kendall: np.ndarray
    names: tuple[str, ...] = ()


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
        Spearman's rho, Kendall's tau-b and the top overlap, each (n_methods, n_methods). Kendall's tau costs
        O(n log n) per pair (scipy's ``kendalltau``): a fraction of a second for a 224×224 map.

    Raises
    ------
    ValueError
        Fewer than one map, maps of different shapes, or ``top_fraction`` outside (0, 1].
    """
    from scipy.stats import kendalltau, rankdata

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
    undefined = constant[:, None] | constant[None, :]
    spearman = np.where(undefined, np.nan, np.atleast_2d(spearman))
    kendall = np.eye(len(arrays))
    for i in range(len(arrays)):
        for j in range(i + 1, len(arrays)):
            with warnings.catch_warnings():  # scipy warns on constant input; the NaN below says it
                warnings.simplefilter("ignore")
                kendall[i, j] = kendall[j, i] = kendalltau(arrays[i], arrays[j]).statistic
    kendall = np.where(undefined, np.nan, kendall)
    k = max(1, round(top_fraction * arrays[0].size))
    # a method's top: every feature at least as large as its k-th largest, so that ties (the pixels of one
    # superpixel, saliency's zeros) are all in or all out, never split by their position in the image
    tops = [set(np.flatnonzero(a >= np.partition(a, a.size - k)[a.size - k]).tolist()) for a in arrays]
    overlap = np.array([[len(a & b) / min(len(a), len(b)) for b in tops] for a in tops])
    return Agreement(spearman=spearman, top_overlap=overlap, top_fraction=float(top_fraction), kendall=kendall)


def method_agreement(
    attributions: Mapping[str, Any], instance: int = 0, output: int | str = 0, top_fraction: float = TOP_FRACTION
) -> Agreement:
    """Agreement between several methods' attributions of the same prediction.

    Each attribution gives one map of ``instance`` and ``output``: its features flattened (tabular), its tokens
    without the padding after them (text), or one value per pixel, summed over the colour channels (images; so a
    (C, H, W) method compares with Grad-CAM's or LIME's (H, W) map). The maps are then compared by
    :func:`rank_agreement`.

    Parameters
    ----------
    attributions : mapping of str to Attribution
        The methods' attributions, by name (e.g. ``{"ig": explain_image(...), "lime": explain_image(...)}``), all of
        the same instances and outputs.
    instance : int
        The explained instance.
    output : int or str
        The explained output, by index or name (the same in every attribution).
    top_fraction : float in (0, 1]
        The share of features counted as each method's top ones.

    Returns
    -------
    Agreement
        With ``names`` the mapping's keys, in its order.

    Raises
    ------
    TypeError
        Not a mapping of names to Attributions.
    ValueError
        No attribution, an instance or output that one of them does not have, maps of different sizes (e.g. the
        same text with and without ``merge_subwords``) or different tokens.
    """
    if not isinstance(attributions, Mapping):
        raise TypeError(
            f"attributions must be a mapping of method names to Attributions; received {type(attributions).__name__}"
        )
    if not attributions:
        raise ValueError("attributions must hold at least one method; received an empty mapping")
    maps, tokens = {}, {}
    for name, attribution in attributions.items():
        check_attribution(attribution, f"attributions[{name!r}]")
        column = output_index(attribution, output)
        maps[str(name)] = instance_map(attribution, instance, column)
        if attribution.tokens is not None:
            tokens[str(name)] = attribution.tokens_of(instance)
    sizes = {name: m.size for name, m in maps.items()}
    if len(set(sizes.values())) != 1:
        raise ValueError(f"every method must give a map of the same size for instance {instance}; received {sizes}")
    if len(set(tokens.values())) > 1:
        raise ValueError(f"the methods explain different tokens for instance {instance}: {tokens}")
    agreement = rank_agreement(list(maps.values()), top_fraction)
    return Agreement(
        spearman=agreement.spearman, top_overlap=agreement.top_overlap, top_fraction=agreement.top_fraction,
        kendall=agreement.kendall, names=tuple(maps),
    )  # fmt: skip
