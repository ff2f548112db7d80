"""The validators every data container uses: one per kind of check, raising before any heavy work.

Each names what was expected and what was received. ``AttentionMaps`` (the attention issue) uses the same ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def check_index(name: str, value: Any, size: int) -> int:
    """Validate an integer selection index in ``range(size)`` and return it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int; received {type(value).__name__}")
    if not 0 <= value < size:
        raise ValueError(f"{name} must be in 0..{size - 1}; received {value}")
    return int(value)


def check_feature(value: Any, feature_names: Sequence[str] | None, n_features: int) -> int:
    """A feature given by name (one of ``feature_names``) or by index in ``range(n_features)``, as an index."""
    if isinstance(value, str):
        names = list(feature_names or ())
        if value not in names:
            raise ValueError(f"feature must be one of the feature names or an index; received {value!r}")
        return names.index(value)
    return check_index("feature", value, n_features)


def finite_float_array(name: str, value: Any, *, keep_float: bool = False) -> np.ndarray:
    """``value`` as a float64 array; ``TypeError`` unless numeric, ``ValueError`` naming the first NaN/inf.

    ``keep_float`` keeps a float16/float32 array as it is (no copy): large arrays such as a long text's attention
    would otherwise double or quadruple in memory. The check then runs one slice of the first axis at a time.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a numeric array; received {type(value).__name__} ({exc})") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a numeric array; received dtype {arr.dtype}")
    kept = keep_float and arr.dtype.kind == "f"
    if not kept:
        arr = arr.astype(np.float64)
    # a kept array is checked one slice of its first axis at a time: no temporary the size of the whole array
    parts = arr if kept and arr.ndim > 1 else [arr]
    for start, part in enumerate(parts):
        bad = ~np.isfinite(part)
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            index = (start, *first) if parts is arr else first
            count = int((~np.isfinite(arr)).sum())
            raise ValueError(f"{name} must be finite; received {count} NaN/inf value(s), the first at index {index}")
    return arr


def numeric_array(name: str, value: Any, expected_shape: tuple[int, ...], axes: str) -> np.ndarray:
    """A numeric float64 array of exactly ``expected_shape``, whose axes are described by ``axes`` in the error
    (NaN allowed: it marks a missing value)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric; received dtype {arr.dtype} (encode categories as numbers)")
    if arr.shape != expected_shape:
        raise ValueError(f"{name} must have shape {axes} = {expected_shape}; received {arr.shape}")
    return arr.astype(np.float64)


def names(kind: str, values: Sequence[str] | None, count: int | None, stem: str) -> tuple[str, ...] | None:
    """Validated names, one per item; defaults ``"<stem> 0"``, ``"<stem> 1"``... ``count=None``: the items have
    no 1-D index (e.g. image pixels), so there are no names."""
    if values is None:
        return None if count is None else tuple(f"{stem} {i}" for i in range(count))
    if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
        raise TypeError(f"{kind} must be a sequence of str; received {type(values).__name__}")
    values = list(values)
    if count is None:
        raise ValueError(f"{kind} need a 1-D shape of {stem}s; there is none here")
    if len(values) != count:
        raise ValueError(f"{kind} must have {count} entries (one per {stem}); received {len(values)}")
    bad = [type(v).__name__ for v in values if not isinstance(v, str | np.str_)]
    if bad:
        raise TypeError(f"{kind} must all be str; received {bad[0]}")
    return tuple(str(v) for v in values)


def text(name: str, value: Any) -> str:
    """A str field (method, output space, a description)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str; received {type(value).__name__}")
    return value


def is_token_lists(values: Any) -> bool:
    """True when ``values`` is a sequence of sequences (per-instance token lists) rather than one list of names."""
    if values is None or isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
        return False
    return any(not isinstance(v, str | np.str_) and isinstance(v, Sequence | np.ndarray) for v in values)


def token_lists(kind: str, values: Any, n_instances: int, max_tokens: int) -> tuple[tuple[str, ...], ...]:
    """Per-instance token lists: ``n_instances`` sequences of str, each at most ``max_tokens`` long."""
    rows = list(values)
    if len(rows) != n_instances:
        raise ValueError(f"{kind} must hold {n_instances} token lists (one per instance); received {len(rows)}")
    checked = []
    for i, row in enumerate(rows):
        if isinstance(row, str) or not isinstance(row, Sequence | np.ndarray):
            raise TypeError(
                f"{kind}[{i}] must be a sequence of str (one instance's tokens); received {type(row).__name__}"
            )
        bad = [type(t).__name__ for t in row if not isinstance(t, str | np.str_)]
        if bad:
            raise TypeError(f"{kind}[{i}] must hold str tokens only; received {bad[0]}")
        if len(row) > max_tokens:
            raise ValueError(
                f"{kind}[{i}] has {len(row)} tokens; values have room for at most {max_tokens} "
                "(shape (n_instances, max_tokens, n_outputs))"
            )
        checked.append(tuple(str(t) for t in row))
    return tuple(checked)
