"""Attributions for tabular models: ``explain_tabular``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..explanation import Attribution
from ._inputs import check_model_width, check_names, tabular_matrix

__all__ = ["explain_tabular"]

METHODS = ("tree",)
CHUNK_ROWS = 1000  # rows per explainer call: progress can advance and Ctrl-C lands between chunks

_TREE_OUTPUT_SPACE = {"probability": "probability", "log_odds": "log-odds", "raw_value": "raw"}


def explain_tabular(
    model: Any,
    X: Any,
    method: str = "tree",
    *,
    feature_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    background: Any = None,
    progress: bool | None = None,
) -> Attribution:
    """Explain a tabular model's predictions on ``X``.

    Parameters
    ----------
    model : fitted estimator
        For ``method="tree"``: a tree ensemble that ``shap.TreeExplainer`` supports (scikit-learn random
        forests, extra trees, gradient boosting, decision trees; xgboost, lightgbm, catboost when installed).
    X : array_like or pandas.DataFrame, shape (n_instances, n_features)
        The instances to explain. Must be numeric and finite. A DataFrame gives its column names.
    method : {"tree"}
        The attribution method.
    feature_names, output_names : sequence of str, optional
        Override the names of the features (default: DataFrame columns or ``"feature i"``) and of the
        outputs (default: the model's classes, or ``"prediction"`` for a regressor).
    background : array_like, optional
        For ``"tree"``: with a background the base value is the mean output over it ("interventional"
        TreeSHAP); without, the base value comes from the trees' training-node counts ("path-dependent").
    progress : bool, optional
        Show a tqdm progress bar; by default only when there is more than one chunk of rows.

    Returns
    -------
    Attribution
        ``values`` of shape (n_instances, n_features, n_outputs), with ``Σ values + base = model output``.

    Raises
    ------
    ValueError, TypeError
        Unknown method, an unsupported model, or bad ``X``/names, before any explainer runs.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(repr(m) for m in METHODS)}; received {method!r}")
    matrix, names = tabular_matrix(X, feature_names)
    check_model_width(model, matrix.shape[1])
    background_matrix = None
    if background is not None:
        background_matrix, _ = tabular_matrix(background, names)
    return _explain_tree(model, matrix, names, output_names, background_matrix, progress)


def _explain_tree(
    model: Any,
    X: np.ndarray,
    feature_names: list[str],
    output_names: Sequence[str] | None,
    background: np.ndarray | None,
    progress: bool | None,
) -> Attribution:
    import shap

    try:
        if background is None:
            explainer = shap.TreeExplainer(model)
        else:
            explainer = shap.TreeExplainer(model, data=background, feature_perturbation="interventional")
    except Exception as exc:  # shap raises InvalidModelError, TypeError, ... for unsupported models
        raise ValueError(
            "method='tree' needs a tree model supported by shap.TreeExplainer (e.g. RandomForestClassifier, "
            f"GradientBoostingRegressor, XGBClassifier); received {type(model).__name__}: {exc}"
        ) from exc
    tree_output = getattr(explainer.model, "tree_output", None)
    output_space = _TREE_OUTPUT_SPACE.get(str(tree_output), "raw")
    predict = _explained_output(model, output_space)
    n_outputs = predict(X[:1]).shape[1]
    names = check_names("output_names", output_names, n_outputs) or _default_output_names(model, n_outputs)

    values, base = _run_chunked(lambda rows: _tree_chunk(explainer, rows), X, "TreeSHAP", progress)
    baseline = (
        "mean model output over the background data (interventional TreeSHAP)"
        if background is not None
        else "expected model output over the training data, from the trees' node counts (path-dependent)"
    )
    return Attribution(
        values,
        base,
        data=X,
        feature_names=feature_names,
        output_names=names,
        method="tree",
        output_space=output_space,
        baseline=baseline,
    )


def _tree_chunk(explainer: Any, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    explanation = explainer(rows)
    values = np.asarray(explanation.values, dtype=float)
    base = np.asarray(explanation.base_values, dtype=float)
    if values.ndim == 2:
        values = values[..., None]
    base = base.reshape(len(rows), -1) if base.size >= len(rows) else np.broadcast_to(base, (len(rows), 1))
    return values, base


def _run_chunked(
    compute: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    X: np.ndarray,
    label: str,
    progress: bool | None,
) -> tuple[np.ndarray, np.ndarray]:
    from tqdm.auto import tqdm

    starts = range(0, len(X), CHUNK_ROWS)
    show = len(starts) > 1 if progress is None else progress
    values, bases = [], []
    with tqdm(total=len(X), desc=label, unit="row", disable=not show) as bar:
        for start in starts:
            v, b = compute(X[start : start + CHUNK_ROWS])
            values.append(v)
            bases.append(b)
            bar.update(len(v))
    return np.concatenate(values), np.concatenate(bases)


def _explained_output(model: Any, output_space: str) -> Callable[[np.ndarray], np.ndarray]:
    """The model function whose value the attributions add up to, as (n, n_outputs)."""
    if output_space == "probability" and hasattr(model, "predict_proba"):
        function = model.predict_proba
    elif output_space == "log-odds" and hasattr(model, "decision_function"):
        function = model.decision_function
    else:
        function = model.predict
    return lambda X: np.asarray(function(model_input(model, X)), dtype=float).reshape(len(X), -1)


def model_input(model: Any, X: np.ndarray) -> Any:
    """``X`` as the model was fitted: a DataFrame with its column names when it was fitted on one."""
    columns = getattr(model, "feature_names_in_", None)
    if columns is None:
        return X
    import pandas as pd

    return pd.DataFrame(X, columns=list(columns))


def explained_output(model: Any, attribution: Attribution, X: Any) -> np.ndarray:
    """Model output in the attribution's output space for ``X``: what ``attribution.output_values`` must match."""
    matrix, _ = tabular_matrix(X, None)
    return _explained_output(model, attribution.output_space)(matrix)


def _default_output_names(model: Any, n_outputs: int) -> list[str]:
    classes = getattr(model, "classes_", None)
    if classes is None:
        return ["prediction"] if n_outputs == 1 else [f"output {i}" for i in range(n_outputs)]
    classes = [str(c) for c in np.asarray(classes).ravel()]
    if n_outputs == len(classes):
        return classes
    if n_outputs == 1 and len(classes) == 2:
        return [classes[1]]  # a binary margin is the score of the positive class
    return [f"output {i}" for i in range(n_outputs)]
