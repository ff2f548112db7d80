"""``Attribution``: feature attributions for a batch of instances, validated once, read by every view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _checks

__all__ = ["Attribution"]


class Attribution:
    """Feature attributions for a batch of instances, with the outputs axis always present.

    Parameters
    ----------
    values : array_like, shape (n_instances, *feature_shape, n_outputs)
        Contribution of each feature to each output. A single-output explanation still has a trailing
        axis of length 1 (``values[..., None]`` adds it).
    base_values : array_like, shape (n_instances, n_outputs) or (n_outputs,)
        The reference output each explanation starts from (e.g. the expected model output over the
        background data). A 1-D array is the same base for every instance.
    data : array_like, shape (n_instances, *feature_shape), optional
        The feature values that were explained (shown next to their contributions). NaN marks a missing value.
        For an image map over (H, W) (one value per pixel, as superpixel methods give), ``data`` may also be the
        images themselves, shape (n_instances, C, H, W).
    feature_names : sequence of str, or sequence of sequences of str, optional
        One name per feature for 1-D feature shapes; defaults to ``"feature 0"``, ``"feature 1"``, ...
        For text, one token list per instance (ragged): ``values`` then has shape
        (n_instances, max_tokens, n_outputs), each instance's values after its tokens are padding and must be
        exactly 0 (and ``data``, if given, NaN there). The lists are kept as :attr:`tokens`, and
        ``feature_names`` becomes the positional ``"token 0"``, ``"token 1"``, ...
    output_names : sequence of str, optional
        One name per output (class names, ``"prediction"``...); defaults to ``"output 0"``, ...
    method : str
        The method that produced the values (``"tree"``, ``"integrated_gradients"``...), shown in the views.
    convergence_delta : array_like, shape (n_instances, n_outputs), optional
        How far the method misses completeness (``Σ values + base - model output``), when it reports it.
    output_space : str
        What the output means: ``"probability"``, ``"log-odds"``, ``"raw"``... shown next to every number.
    baseline : str
        A short description of what the base value is (honesty: the reference an explanation depends on).
    feature_conditions : sequence of sequence of str, shape (n_instances, n_features), optional
        Per-instance labels for the features, such as LIME's ``"mean radius <= 13.4"``; views use them in place
        of ``name = value``.
    segments : array_like of int, shape (n_instances, H, W), optional
        For superpixel methods (LIME image, occlusion by segment): the segment id of each pixel. ``values`` then
        has shape (n_instances, H, W, n_outputs) and is constant within a segment (each pixel holds its
        segment's weight), so Σ values is not the sum of segment weights; :meth:`segment_values` gives those.

    Attributes
    ----------
    tokens : tuple of tuple of str, or None
        Per-instance token lists when ``feature_names`` gave them; ``None`` for flat feature names.
    token_counts : numpy.ndarray of int, or None
        How many tokens each instance has (the rest of its ``values`` row is padding).

    Raises
    ------
    TypeError
        Non-numeric values or names that are not strings.
    ValueError
        Shapes that do not fit together, NaN or infinite attributions, wrong number of names, token lists longer
        than the values' token axis, or non-zero values (non-NaN data) in the padding after a token list.
    """

    def __init__(
        self,
        values: Any,
        base_values: Any,
        data: Any = None,
        feature_names: Sequence[str] | None = None,
        output_names: Sequence[str] | None = None,
        method: str = "",
        *,
        convergence_delta: Any = None,
        output_space: str = "",
        baseline: str = "",
        feature_conditions: Sequence[Sequence[str]] | None = None,
        segments: Any = None,
    ) -> None:
        values = _checks.finite_float_array("values", values)
        if values.ndim < 3:
            raise ValueError(
                "values must have shape (n_instances, *feature_shape, n_outputs) with at least 3 axes; "
                f"received shape {values.shape}. For a single output add the trailing axis: values[..., None]"
            )
        n, k = values.shape[0], values.shape[-1]
        base = _checks.finite_float_array("base_values", base_values)
        if base.shape == (k,):
            base = np.broadcast_to(base, (n, k)).copy()
        if base.shape != (n, k):
            raise ValueError(
                f"base_values must have shape (n_instances, n_outputs) = ({n}, {k}) or ({k},); "
                f"received shape {base.shape}"
            )
        self.values: np.ndarray = values
        self.base_values: np.ndarray = base
        self.data: np.ndarray | None = None
        if data is not None:
            self.data = _data(data, values.shape[:-1])
        self.segments: np.ndarray | None = None
        if segments is not None:
            self.segments = _segments(segments, values)
        one_axis = self.feature_shape[0] if len(self.feature_shape) == 1 else None
        self.tokens: tuple[tuple[str, ...], ...] | None = None
        self.token_counts: np.ndarray | None = None
        if _checks.is_token_lists(feature_names):
            self.tokens, self.token_counts = _token_lists(feature_names, self.values, self.data)
            feature_names = None
        stem = "feature" if self.tokens is None else "token"
        self.feature_names: tuple[str, ...] | None = _checks.names("feature_names", feature_names, one_axis, stem)
        self.output_names: tuple[str, ...] = _checks.names("output_names", output_names, k, "output")  # type: ignore[assignment]
        self.convergence_delta: np.ndarray | None = None
        if convergence_delta is not None:
            self.convergence_delta = _delta(convergence_delta, n, k)
        self.method = _checks.text("method", method)
        self.output_space = _checks.text("output_space", output_space)
        self.baseline = _checks.text("baseline", baseline)
        self.feature_conditions: tuple[tuple[str, ...], ...] | None = None
        if feature_conditions is not None:
            rows = [tuple(str(c) for c in row) for row in feature_conditions]
            if one_axis is None or len(rows) != n or any(len(r) != one_axis for r in rows):
                raise ValueError(
                    f"feature_conditions must have shape (n_instances, n_features) = ({n}, {one_axis or '?'}); "
                    f"received {len(rows)} rows"
                )
            self.feature_conditions = tuple(rows)

    # -- shape -------------------------------------------------------------------------------------------
    @property
    def n_instances(self) -> int:
        """Number of explained instances."""
        return int(self.values.shape[0])

    @property
    def n_outputs(self) -> int:
        """Number of model outputs (classes, or 1 for regression)."""
        return int(self.values.shape[-1])

    @property
    def feature_shape(self) -> tuple[int, ...]:
        """Shape of one instance's features: ``(n_features,)`` for tabular data, ``(H, W)`` for images."""
        return tuple(int(d) for d in self.values.shape[1:-1])

    @property
    def n_features(self) -> int:
        """Total number of features of one instance."""
        return int(np.prod(self.feature_shape))

    @property
    def output_values(self) -> np.ndarray:
        """``base_values + Σ values`` over the features, shape (n_instances, n_outputs).

        For methods that are complete (SHAP, Integrated Gradients up to its convergence delta) this equals
        the model output being explained.
        """
        return self.base_values + self.values.reshape(self.n_instances, -1, self.n_outputs).sum(axis=1)

    def segment_values(self, instance: int, output: int) -> tuple[np.ndarray, np.ndarray]:
        """The segment ids of one instance and each segment's weight for ``output`` (superpixel methods only)."""
        self.check_index(instance, output)
        if self.segments is None:
            raise ValueError(f"this {self.method or 'attribution'} has no segments (it is not a superpixel method)")
        ids, first = np.unique(self.segments[instance], return_index=True)
        return ids, self.values[instance, ..., output].reshape(-1)[first]

    def tokens_of(self, instance: int) -> tuple[str, ...]:
        """The tokens (or, for flat feature names, the feature names) of one instance, without padding."""
        instance = _checks.check_index("instance", instance, self.n_instances)
        if self.tokens is not None:
            return self.tokens[instance]
        if self.feature_names is None:
            raise ValueError(f"this attribution has no tokens or feature names (feature shape {self.feature_shape})")
        return self.feature_names

    def check_index(self, instance: int, output: int) -> None:
        """Raise ``ValueError``/``TypeError`` unless ``instance`` and ``output`` index this attribution."""
        _checks.check_index("instance", instance, self.n_instances)
        _checks.check_index("output", output, self.n_outputs)

    def __repr__(self) -> str:
        return (
            f"Attribution(method={self.method!r}, instances={self.n_instances}, "
            f"feature_shape={self.feature_shape}, outputs={self.n_outputs}, output_space={self.output_space!r})"
        )

    # -- interop (implemented in data/interop.py) ----------------------------------------------------------
    @classmethod
    def from_shap(
        cls,
        explanation: Any,
        *,
        method: str = "shap",
        output_space: str = "",
        output_names: Sequence[str] | None = None,
    ) -> Attribution:
        """Build an Attribution from a ``shap.Explanation`` (see :func:`interpretwidgets.data.interop.from_shap`)."""
        from .interop import from_shap

        return from_shap(explanation, method=method, output_space=output_space, output_names=output_names)

    def to_shap(self) -> Any:
        """A ``shap.Explanation`` of these values, so shap's own plots can be used (single output: axis dropped)."""
        from .interop import to_shap

        return to_shap(self)

    @classmethod
    def from_lime(cls, explanation: Any, data: Any = None) -> Attribution:
        """Build a one-instance Attribution from a ``lime`` tabular ``Explanation``
        (see :func:`interpretwidgets.data.interop.from_lime`)."""
        from .interop import from_lime

        return from_lime(explanation, data)

    def to_frame(self, output: int | None = None) -> Any:
        """A long pandas DataFrame: one row per (instance, feature, output) with value, data and base value.

        ``output`` keeps a single output. Only for 1-D feature shapes (tabular and per-token attributions).
        With per-instance token lists the ``feature`` column holds each instance's tokens, a ``position`` column
        their index, and the padding rows are left out.
        """
        import pandas as pd

        if len(self.feature_shape) != 1:
            raise ValueError(f"to_frame needs a 1-D feature shape; this attribution's is {self.feature_shape}")
        outputs = range(self.n_outputs) if output is None else [_checks.check_index("output", output, self.n_outputs)]
        n, f = self.n_instances, self.feature_shape[0]
        names = np.tile(np.asarray(self.feature_names, dtype=object), (n, 1))
        kept = np.ones((n, f), dtype=bool)
        if self.tokens is not None:
            kept = np.arange(f)[None, :] < self.token_counts[:, None]  # padding rows are not features
            for i, row in enumerate(self.tokens):
                names[i, : len(row)] = row
        frames = []
        for k in outputs:
            frame = {
                "instance": np.repeat(np.arange(n), f)[kept.ravel()],
                "feature": names[kept],
                "output": self.output_names[k],
                "value": self.values[:, :, k][kept],
                "base_value": np.repeat(self.base_values[:, k], f)[kept.ravel()],
            }
            if self.tokens is not None:
                frame["position"] = np.tile(np.arange(f), n)[kept.ravel()]
            if self.data is not None:
                frame["data"] = self.data[kept]
            if self.feature_conditions is not None:
                frame["condition"] = np.asarray(self.feature_conditions, dtype=object)[kept]
            frames.append(pd.DataFrame(frame))
        return pd.concat(frames, ignore_index=True)


def _data(data: Any, feature_axes: tuple[int, ...]) -> np.ndarray:
    """``data`` of shape (n, *feature_shape), or images (n, C, H, W) under a map over (n, H, W)."""
    shape = np.shape(data)
    if len(feature_axes) == 3 and len(shape) == 4 and shape[0] == feature_axes[0] and shape[2:] == feature_axes[1:]:
        return _checks.numeric_array("data", data, shape, "(n_instances, C, H, W)")
    return _checks.numeric_array("data", data, feature_axes, "(n_instances, *feature_shape)")


def _segments(segments: Any, values: np.ndarray) -> np.ndarray:
    """Integer segment ids of shape (n, H, W) under values (n, H, W, k), each segment holding one value."""
    arr = np.asarray(segments)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"segments must be an integer array of segment ids; received dtype {arr.dtype}")
    if values.ndim != 4 or arr.shape != values.shape[:-1]:
        raise ValueError(
            "segments need values of shape (n_instances, H, W, n_outputs) and segments of shape "
            f"(n_instances, H, W); received values {values.shape} and segments {arr.shape}"
        )
    arr = arr.astype(np.int32)
    for i in range(len(arr)):
        flat, ids = values[i].reshape(-1, values.shape[-1]), arr[i].ravel()
        _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
        if not np.array_equal(flat, flat[first][inverse]):
            raise ValueError(f"values must be constant within each segment; instance {i} has a segment that is not")
    return arr


def _token_lists(
    lists: Any, values: np.ndarray, data: np.ndarray | None
) -> tuple[tuple[tuple[str, ...], ...], np.ndarray]:
    """Validate per-instance token lists against values (n, max_tokens, k): zero padding, NaN data padding."""
    if values.ndim != 3:
        raise ValueError(
            "per-instance token lists need values of shape (n_instances, max_tokens, n_outputs); "
            f"received shape {values.shape}"
        )
    tokens = _checks.token_lists("feature_names", lists, values.shape[0], values.shape[1])
    counts = np.array([len(row) for row in tokens], dtype=int)
    padding = np.arange(values.shape[1])[None, :] >= counts[:, None]
    nonzero = padding & (values != 0).any(axis=-1)
    if nonzero.any():
        i, j = (int(x) for x in np.argwhere(nonzero)[0])
        raise ValueError(
            f"values after an instance's tokens are padding and must be 0; instance {i} has {counts[i]} tokens "
            f"but a non-zero value at token position {j}"
        )
    if data is not None:
        filled = padding & ~np.isnan(data)
        if filled.any():
            i, j = (int(x) for x in np.argwhere(filled)[0])
            raise ValueError(
                f"data after an instance's tokens is padding and must be NaN; instance {i} has {counts[i]} tokens "
                f"but data {data[i, j]} at token position {j}"
            )
    return tokens, counts


def _delta(value: Any, n: int, k: int) -> np.ndarray:
    delta = _checks.finite_float_array("convergence_delta", value).reshape(-1)
    if delta.size not in (n, n * k):
        raise ValueError(
            f"convergence_delta must have shape (n_instances, n_outputs) = ({n}, {k}); received {np.shape(value)}"
        )
    return delta.reshape(n, -1) if delta.size == n * k else np.repeat(delta, k).reshape(n, k)
