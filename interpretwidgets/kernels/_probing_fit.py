"""The probes themselves: cross-validated logistic regression per layer, and the control task of Hewitt & Liang
(2019, "Designing and Interpreting Probes with Control Tasks") that tells what a probe learns from what it memorises."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np


def control_labels(types: Sequence[Hashable], y: np.ndarray, random_state: int | None) -> np.ndarray:
    """Control labels: each distinct input type gets one label, drawn (seeded) from the empirical distribution of
    ``y``; every input of that type carries it. ``y`` holds class indices 0..k-1.

    Types are numbered in order of first appearance, so the draw depends on the inputs and the seed only (never on
    hashing, which Python salts per process for strings).
    """
    numbering: dict[Hashable, int] = {}
    try:
        index = np.array([numbering.setdefault(t, len(numbering)) for t in types], dtype=np.intp)
    except TypeError as exc:
        raise TypeError(f"control_types must be hashable (str, int, tuple); {exc}") from None
    frequencies = np.bincount(y) / len(y)
    drawn = np.random.default_rng(random_state).choice(len(frequencies), size=len(numbering), p=frequencies)
    return drawn[index]


def probe_pipeline(C: float, max_iter: int) -> Any:
    """The probe: features standardised, then (multinomial) logistic regression, as the seed did."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([("scale", StandardScaler()), ("probe", LogisticRegression(C=C, max_iter=max_iter))])


def fold_accuracies(X: np.ndarray, y: np.ndarray, cv: int, random_state: int | None, estimator: Any) -> np.ndarray:
    """Held-out accuracy on each of ``cv`` stratified, shuffled folds — what ``sklearn.model_selection.
    cross_val_score(estimator, X, y, cv=StratifiedKFold(cv, shuffle=True, random_state=random_state))`` gives, except
    that a training fold holding one class (possible on control labels with a rare class) predicts that class instead
    of failing."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    scores = []
    with warnings.catch_warnings():
        # control labels may give a class fewer than cv members: the folds are then as stratified as they can be
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        folds = list(splitter.split(X, y))
    for train, test in folds:
        classes = np.unique(y[train])
        if len(classes) == 1:
            scores.append(float(np.mean(y[test] == classes[0])))
        else:
            scores.append(float(clone(estimator).fit(X[train], y[train]).score(X[test], y[test])))
    return np.asarray(scores)


def fit_layers(
    representations: dict[str, np.ndarray],
    y: np.ndarray,
    control: np.ndarray | None,
    cv: int,
    random_state: int | None,
    estimator: Any,
    progress: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean and std (over folds) of the probe's accuracy per layer, on the labels and on the control labels (NaN
    without a control task). A probe that did not converge is reported once, for all layers, not once per fold."""
    from sklearn.exceptions import ConvergenceWarning
    from tqdm.auto import tqdm

    rows = []
    unconverged = []
    for name, X in tqdm(representations.items(), desc="probe: fitting", unit="layer", disable=not progress):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            task = fold_accuracies(X, y, cv, random_state, estimator)
            baseline = fold_accuracies(X, control, cv, random_state, estimator) if control is not None else None
        for warning in caught:
            if issubclass(warning.category, ConvergenceWarning):
                unconverged.append(name)
            else:
                warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        spread = (baseline.mean(), baseline.std()) if baseline is not None else (np.nan, np.nan)
        rows.append((task.mean(), task.std(), *spread))
    if unconverged:
        names = ", ".join(dict.fromkeys(unconverged))
        warnings.warn(f"probe: logistic regression did not converge for layers {names}; raise max_iter (or lower C)",
                      ConvergenceWarning, stacklevel=3)  # fmt: skip
    table = np.asarray(rows, dtype=float)  # (n_layers, 4)
    return table[:, 0], table[:, 1], table[:, 2], table[:, 3]
