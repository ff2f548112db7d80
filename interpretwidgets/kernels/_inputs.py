"""Validation of the inputs kernels receive, done before any heavy work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def tabular_matrix(X: Any, feature_names: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """Return ``X`` as a 2-D float array and its feature names.

    pandas DataFrames give their column names unless ``feature_names`` overrides them.

    Raises
    ------
    TypeError
        Non-numeric columns or data.
    ValueError
        Not 2-D, empty, NaN/inf, or a ``feature_names`` of the wrong length.
    """
    columns: list[str] | None = None
    if hasattr(X, "columns") and hasattr(X, "dtypes"):  # pandas DataFrame, without importing pandas
        bad = [str(c) for c, dt in zip(X.columns, X.dtypes, strict=True) if getattr(dt, "kind", "O") not in "biuf"]
        if bad:
            raise TypeError(
                f"X must have numeric columns only; received non-numeric column(s) {bad[:5]}. "
                "Encode categories as numbers first (e.g. pandas.get_dummies or an OrdinalEncoder)"
            )
        columns = [str(c) for c in X.columns]
        X = X.to_numpy(dtype=np.float64)  # mixed bool/int/float columns would otherwise become dtype object
    arr = np.asarray(X)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"X must be numeric; received dtype {arr.dtype}")
    if arr.ndim != 2:
        hint = " For one instance use X[None, :]." if arr.ndim == 1 else ""
        raise ValueError(f"X must be 2-D (n_instances, n_features); received shape {arr.shape}.{hint}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"X must hold at least one instance and one feature; received shape {arr.shape}")
    arr = arr.astype(np.float64)
    bad_cells = ~np.isfinite(arr)
    if bad_cells.any():
        row, col = (int(i) for i in np.argwhere(bad_cells)[0])
        raise ValueError(
            f"X must be finite; received {int(bad_cells.sum())} NaN/inf value(s), the first at row {row}, "
            f"column {col}. Impute missing values before explaining"
        )
    if feature_names is not None:
        names = [str(n) for n in feature_names]
        if len(names) != arr.shape[1]:
            raise ValueError(
                f"feature_names must have {arr.shape[1]} entries (one per column of X); received {len(names)}"
            )
    else:
        names = columns if columns is not None else [f"feature {i}" for i in range(arr.shape[1])]
    return arr, names


def check_fitted(model: Any, X: np.ndarray) -> None:
    """Raise ``ValueError`` for a scikit-learn-style estimator that has not been fitted.

    Only objects with ``fit`` and ``get_params`` are checked (sklearn, xgboost, lightgbm); torch modules and plain
    callables have no fitted state to check. sklearn's ``check_is_fitted`` looks for fitted attributes, which a
    custom wrapper may not have: when it doubts, one prediction on ``X[:1]`` decides.
    """
    if not (hasattr(model, "fit") and hasattr(model, "get_params")) or isinstance(model, type):
        return
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    from ._models import model_input

    try:
        check_is_fitted(model)
        return
    except NotFittedError:
        pass
    except Exception:
        return
    predict = getattr(model, "predict_proba", None) or getattr(model, "predict", None)
    try:
        if predict is not None:
            predict(model_input(model, X[:1]))
            return
    except Exception:
        pass
    name = type(model).__name__
    raise ValueError(f"{name} is not fitted; call model.fit(X, y) before explaining it")


def check_count(name: str, value: Any, minimum: int = 1) -> int | None:
    """Validate an optional integer budget such as ``n_samples`` (``None`` keeps the method's default)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int or None; received {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; received {value}")
    return int(value)


def check_model_width(model: Any, n_features: int) -> None:
    """Raise ``ValueError`` when a fitted sklearn-style model expects another number of features."""
    expected = getattr(model, "n_features_in_", None)
    if expected is not None and int(expected) != n_features:
        raise ValueError(f"{type(model).__name__} was fitted on {expected} features; X has {n_features} columns")


def check_names(kind: str, names: Sequence[str] | None, expected: int) -> list[str] | None:
    """Validate an optional list of names against the expected count."""
    if names is None:
        return None
    if isinstance(names, str):
        raise TypeError(f"{kind} must be a sequence of str; received a single str {names!r}")
    names = [str(n) for n in names]
    if len(names) != expected:
        raise ValueError(f"{kind} must have {expected} entries; received {len(names)}")
    return names
