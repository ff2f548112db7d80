"""Deletion and insertion curves (Petsiuk et al. 2018, RISE), with a random-order reference.

One implementation over a flat axis of *units* (features, tokens, pixels or superpixels): each domain only says what
the units are, how important the attribution finds each, and how a mask of present units becomes a model input
(``evaluate(mask) -> outputs``). Deletion replaces units by the baseline in attribution order, most important first;
insertion starts from the baseline and puts them back in the same order. A faithful attribution makes the output
fall fast under deletion (low AUC) and rise fast under insertion (high AUC) — faster than random orders do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Attribution
from ._honesty_common import (
    check_attribution,
    check_instances,
    check_seed,
    domain_of,
    output_index,
)
from ._honesty_units import Evaluate, Setup, Units, image_units, tabular_units, text_units
from ._models import is_torch_module

#: default number of points after the first: every unit when there are fewer
DEFAULT_STEPS = 50
ORDERS = ("value", "magnitude")


@dataclass(frozen=True)
class FaithfulnessCurves:
    """Deletion and insertion curves of some instances, with the mean curves of random orders beside them.

    Attributes
    ----------
    fractions : numpy.ndarray, shape (n_points,)
        The share of units removed (deletion) or inserted (insertion), from 0 to 1: the x axis.
    deletion, insertion : numpy.ndarray, shape (n_instances, n_points)
        The explained model output with the most important units replaced by the baseline (deletion), or with only
        them shown over the baseline (insertion).
    random_deletion, random_insertion : numpy.ndarray, shape (n_instances, n_points)
        The same for random orders, averaged over ``n_random`` seeded orders: what chance gives.
    deletion_auc, insertion_auc, random_deletion_auc, random_insertion_auc : numpy.ndarray, shape (n_instances,)
        The area under each curve (trapezoids over ``fractions``), in the output's units. A faithful attribution
        has ``deletion_auc`` below ``random_deletion_auc`` and ``insertion_auc`` above ``random_insertion_auc``.
    instances : tuple of int
        The attribution's instances, one per row.
    output : str
        The explained output.
    unit : str
        What was removed: ``"feature"``, ``"token"``, ``"pixel"`` or ``"superpixel"``.
    n_units : numpy.ndarray of int, shape (n_instances,)
        How many units each instance has.
    baseline : str
        What a removed unit shows.
    order : str
        ``"value"`` (largest signed attribution first) or ``"magnitude"`` (largest |attribution| first).
    n_random : int
        How many random orders the reference averages.
    """

    fractions: np.ndarray
    deletion: np.ndarray
    insertion: np.ndarray
    random_deletion: np.ndarray
    random_insertion: np.ndarray
    deletion_auc: np.ndarray
    insertion_auc: np.ndarray
    random_deletion_auc: np.ndarray
    random_insertion_auc: np.ndarray
    instances: tuple[int, ...]
    output: str
    unit: str
    n_units: np.ndarray
    baseline: str
    order: str
    n_random: int


def faithfulness_curves(
    model: Any,
    inputs: Any,
    attribution: Attribution,
    *,
    output: int | str = 0,
    instances: Sequence[int] | int | None = None,
    baseline: Any = None,
    background: Any = None,
    tokenizer: Any = None,
    target: Any = None,
    steps: int | None = None,
    n_random: int = 5,
    order: str = "value",
    random_state: int | None = 0,
    progress: bool | None = None,
) -> FaithfulnessCurves:
    """Deletion and insertion curves of an attribution, and their AUC, against random orders.

    Units are removed (deletion) or inserted (insertion) in attribution order, most important first, replaced by
    the baseline; the explained output is recorded at ``steps + 1`` evenly spaced fractions of the units. Every
    mask of one instance (its own order and the ``n_random`` random ones, deletion and insertion, without
    duplicates) goes to the model in large batches: one call per batch, never one per step.

    - Tabular: the units are the features; a removed feature takes the baseline row's value.
    - Images: the units are pixels (all channels at once; a (C, H, W) map is summed over channels to rank them), or
      the superpixels of an attribution with ``segments`` (LIME), removed whole.
    - Text: the units are the tokens, except those the tokenizer adds ([CLS], [SEP], padding); a removed token
      becomes the baseline token. The token ids come from ``attribution.data`` (as ``explain_text`` keeps them).

    Parameters
    ----------
    model : fitted estimator, callable, torch.nn.Module or Hugging Face model
        The explained model (torch models run in eval mode without gradients and are given back as lent).
    inputs : array_like, torch.Tensor or list of str
        The explained rows or images (as given to ``explain_tabular`` / ``explain_image``); for text, the texts
        (only their number is checked: the tokens come from the attribution).
    attribution : Attribution
        The attribution that gives the order.
    output : int or str
        The explained output, by index or name.
    instances : int or sequence of int, optional
        Which instances (default: all).
    baseline : optional
        What a removed unit becomes. Tabular: a row (n_features,) or one per instance (n, n_features); default the
        mean of ``background``, else of ``inputs``. Images: ``"zeros"`` (default), ``"blur"``, ``"uniform"``,
        ``"mean"`` (of ``background``) or an array broadcastable to one image, as ``explain_image`` takes it. Text:
        a token id or token string, or one id sequence per instance (the instance's length); default the mask
        token, else the pad token, else the unknown token.
    background : array_like, optional
        Tabular rows or images whose mean is the baseline (see ``baseline``).
    tokenizer : transformers tokenizer, optional
        Text models only: the model's tokenizer.
    target : int, optional
        The model's output column of ``output``, when its name does not say (``"class 3"``, a label and a
        vocabulary token do).
    steps : int, optional
        Points after the first (default: every unit, at most 50).
    n_random : int
        Random orders averaged into the reference curves.
    order : {"value", "magnitude"}
        Rank units by signed value (what pushes the output up first: the usual choice for deletion), or by
        magnitude (for maps without a sign, or to treat negative evidence as important).
    random_state : int, optional
        Seeds the random orders (and a ``"uniform"`` image baseline).
    progress : bool, optional
        A tqdm.auto bar over the instances; by default for more than one. Ctrl-C lands between model calls.

    Returns
    -------
    FaithfulnessCurves

    Raises
    ------
    TypeError, ValueError
        Before any model call: not an Attribution, inputs that are not the explained ones, a bad output, instance,
        baseline, budget or order, or outputs that cannot be matched to the model's (then pass ``target``).
    """
    from ._borrow import borrowed
    from ._inputs import check_count

    check_attribution(attribution)
    column = output_index(attribution, output)
    picked = check_instances(instances, attribution.n_instances)
    steps = check_count("steps", steps)
    n_random = check_count("n_random", n_random)
    if n_random is None:
        raise TypeError("n_random must be an int (at least 1)")
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(repr(o) for o in ORDERS)}; received {order!r}")
    random_state = check_seed(random_state)
    with borrowed(model):
        if is_torch_module(model):
            model.eval()
        domain = domain_of(attribution)
        setup: Setup
        if domain == "text":
            setup = text_units(model, inputs, attribution, column, baseline, tokenizer, target)
        elif domain == "image":
            setup = image_units(model, inputs, attribution, column, baseline, background, target, random_state)
        else:
            setup = tabular_units(model, inputs, attribution, column, baseline, background, target)
        unit, described, batch, build = setup
        units = [build(i) for i in picked]
        sizes = np.array([len(u.scores) for u in units])
        fractions = np.linspace(0.0, 1.0, (steps or min(int(sizes.max()), DEFAULT_STEPS)) + 1)
        curves = _all_curves(units, fractions, n_random, order, random_state, batch, progress)
    auc = {name: _area(curve, fractions) for name, curve in curves.items()}
    return FaithfulnessCurves(
        fractions=fractions, **curves, deletion_auc=auc["deletion"], insertion_auc=auc["insertion"],
        random_deletion_auc=auc["random_deletion"], random_insertion_auc=auc["random_insertion"],
        instances=tuple(picked), output=attribution.output_names[column], unit=unit, n_units=sizes,
        baseline=described, order=order, n_random=n_random,
    )  # fmt: skip


def _area(curves: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """Trapezoid areas of each row over ``fractions`` (numpy's ``trapezoid`` is numpy ≥ 2 only)."""
    return ((curves[:, 1:] + curves[:, :-1]) / 2 * np.diff(fractions)).sum(axis=1)


def _all_curves(
    units: list[Units], fractions: np.ndarray, n_random: int, order: str, seed: int | None, batch: int, progress: Any
) -> dict[str, np.ndarray]:
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    rows: dict[str, list[np.ndarray]] = {
        k: [] for k in ("deletion", "insertion", "random_deletion", "random_insertion")
    }
    show = len(units) > 1 if progress is None else bool(progress)
    for u in tqdm(units, desc="Deletion/insertion", unit="instance", disable=not show):
        m = len(u.scores)
        key = u.scores if order == "value" else np.abs(u.scores)
        orders = [np.argsort(-key, kind="stable"), *(rng.permutation(m) for _ in range(n_random))]
        counts = np.round(fractions * m).astype(int)
        masks = []
        for ranking in orders:
            rank = np.empty(m, dtype=int)
            rank[ranking] = np.arange(m)
            taken = rank[None, :] < counts[:, None]  # (points, m): the first `count` units of this order
            masks += [~taken, taken]  # deletion shows the rest; insertion shows only them
        outputs = _evaluate(u.evaluate, np.concatenate(masks), m, batch).reshape(len(orders), 2, len(fractions))
        rows["deletion"].append(outputs[0, 0])
        rows["insertion"].append(outputs[0, 1])
        rows["random_deletion"].append(outputs[1:, 0].mean(axis=0))
        rows["random_insertion"].append(outputs[1:, 1].mean(axis=0))
    return {name: np.stack(r) for name, r in rows.items()}


def _evaluate(evaluate: Evaluate, masks: np.ndarray, m: int, batch: int) -> np.ndarray:
    """The model output for every mask, each distinct mask scored once (the ends of every curve are the same two
    masks, and small inputs repeat many), ``batch`` masks per model call."""
    packed = np.packbits(masks, axis=1)
    distinct, inverse = np.unique(packed, axis=0, return_inverse=True)
    scores = [
        np.asarray(evaluate(np.unpackbits(distinct[s : s + batch], axis=1, count=m).astype(bool)), dtype=float)
        for s in range(0, len(distinct), batch)
    ]
    return np.concatenate(scores)[inverse.reshape(-1)]
