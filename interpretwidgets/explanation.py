"""The data model: plain, validated containers that every kernel produces and every view consumes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["Attribution", "check_index", "lime_arrays"]


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
    feature_names : sequence of str, optional
        One name per feature for 1-D feature shapes; defaults to ``"feature 0"``, ``"feature 1"``, ...
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

    Raises
    ------
    TypeError
        Non-numeric values or names that are not strings.
    ValueError
        Shapes that do not fit together, NaN or infinite attributions, wrong number of names.
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
    ) -> None:
        values = _finite_float_array("values", values)
        if values.ndim < 3:
            raise ValueError(
                "values must have shape (n_instances, *feature_shape, n_outputs) with at least 3 axes; "
                f"received shape {values.shape}. For a single output add the trailing axis: values[..., None]"
            )
        n, k = values.shape[0], values.shape[-1]
        base = _finite_float_array("base_values", base_values)
        if base.shape == (k,):
            base = np.broadcast_to(base, (n, k)).copy()
        if base.shape != (n, k):
            raise ValueError(
                f"base_values must have shape (n_instances, n_outputs) = ({n}, {k}) or ({k},); "
                f"received shape {base.shape}"
            )
        self.values: np.ndarray = values
        self.base_values: np.ndarray = base
        self.data: np.ndarray | None = None if data is None else _data_array(data, values.shape[:-1])
        self.feature_names: tuple[str, ...] | None = _names(
            "feature_names", feature_names, self.feature_shape, "feature"
        )
        self.output_names: tuple[str, ...] = _names("output_names", output_names, (k,), "output")  # type: ignore[assignment]
        self.convergence_delta: np.ndarray | None = None
        if convergence_delta is not None:
            delta = _finite_float_array("convergence_delta", convergence_delta).reshape(-1)
            if delta.size not in (n, n * k):
                raise ValueError(
                    f"convergence_delta must have shape (n_instances, n_outputs) = ({n}, {k}); "
                    f"received {np.shape(convergence_delta)}"
                )
            self.convergence_delta = delta.reshape(n, -1) if delta.size == n * k else np.repeat(delta, k).reshape(n, k)
        for name, text in (("method", method), ("output_space", output_space), ("baseline", baseline)):
            if not isinstance(text, str):
                raise TypeError(f"{name} must be a str; received {type(text).__name__}")
        self.method = method
        self.output_space = output_space
        self.baseline = baseline
        self.feature_conditions: tuple[tuple[str, ...], ...] | None = None
        if feature_conditions is not None:
            rows = [tuple(str(c) for c in row) for row in feature_conditions]
            if len(self.feature_shape) != 1 or len(rows) != n or any(len(r) != self.feature_shape[0] for r in rows):
                raise ValueError(
                    f"feature_conditions must have shape (n_instances, n_features) = ({n}, "
                    f"{self.feature_shape[0] if len(self.feature_shape) == 1 else '?'}); received {len(rows)} rows"
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

    def similarity_order(self, output: int = 0) -> np.ndarray:
        """Instances ordered so that similar explanations sit side by side (for stacked force plots).

        Up to 3,000 instances: the leaf order of average-linkage hierarchical clustering of the attribution
        vectors of ``output`` (as shap's stacked force plot does). Beyond that, an approximation that scales:
        instances are grouped by their nearest of 300 k-means centres, the centres put in their hierarchical
        leaf order, and instances ordered by output value within a group.
        """
        from scipy.cluster.hierarchy import leaves_list, linkage

        check_index("output", output, self.n_outputs)
        vectors = self.values[..., output].reshape(self.n_instances, -1)
        if self.n_instances < 3:
            return np.arange(self.n_instances, dtype=np.int32)
        if self.n_instances <= 3000:
            return leaves_list(linkage(vectors, method="average")).astype(np.int32)
        from sklearn.cluster import MiniBatchKMeans

        kmeans = MiniBatchKMeans(n_clusters=300, random_state=0, n_init=3).fit(vectors)
        rank = np.empty(300, dtype=np.int64)
        rank[leaves_list(linkage(kmeans.cluster_centers_, method="average"))] = np.arange(300)
        return np.lexsort((self.output_values[:, output], rank[kmeans.labels_])).astype(np.int32)

    def check_index(self, instance: int, output: int) -> None:
        """Raise ``ValueError``/``TypeError`` unless ``instance`` and ``output`` index this attribution."""
        check_index("instance", instance, self.n_instances)
        check_index("output", output, self.n_outputs)

    def __repr__(self) -> str:
        return (
            f"Attribution(method={self.method!r}, instances={self.n_instances}, "
            f"feature_shape={self.feature_shape}, outputs={self.n_outputs}, output_space={self.output_space!r})"
        )

    # -- interop with shap -------------------------------------------------------------------------------
    @classmethod
    def from_shap(cls, explanation: Any, *, method: str = "", output_space: str = "") -> Attribution:
        """Build an Attribution from a ``shap.Explanation``.

        Accepts one instance (``values`` of shape ``(n_features,)`` or ``(n_features, n_outputs)``) or a batch
        (``(n, n_features)`` or ``(n, n_features, n_outputs)``).
        """
        if not hasattr(explanation, "values") or not hasattr(explanation, "base_values"):
            raise TypeError(f"from_shap expects a shap.Explanation; received {type(explanation).__name__}")
        values = np.asarray(explanation.values, dtype=float)
        base = np.asarray(explanation.base_values, dtype=float)
        data = None if explanation.data is None else np.asarray(explanation.data)
        single = _is_single_instance(values, base)
        if single:
            values, base = values[None], base[None]
            data = None if data is None else data[None]
        if base.ndim == 1:  # one output: values (n, f) and base (n,)
            values, base = values[..., None], base[:, None]
        feature_names = _list_or_none(explanation.feature_names)
        output_names = _list_or_none(getattr(explanation, "output_names", None))
        if output_names is not None and len(output_names) != values.shape[-1]:
            output_names = None  # shap keeps output names of the whole model on sliced explanations
        return cls(
            values,
            base,
            data=data,
            feature_names=feature_names,
            output_names=output_names,
            method=method,
            output_space=output_space,
        )

    def to_shap(self) -> Any:
        """Return a ``shap.Explanation`` so shap's own plots can be used.

        Single-output attributions drop the outputs axis, as shap's plots expect.
        """
        import shap

        single = self.n_outputs == 1
        return shap.Explanation(
            values=self.values[..., 0] if single else self.values,
            base_values=self.base_values[:, 0] if single else self.base_values,
            data=self.data,
            feature_names=None if self.feature_names is None else list(self.feature_names),
            output_names=None if single else list(self.output_names),
        )

    @classmethod
    def from_lime(cls, explanation: Any, data: Any = None) -> Attribution:
        """Build a one-instance Attribution from a ``lime`` tabular ``Explanation``.

        Every explained label becomes an output; features LIME left out get 0. The base value is the
        surrogate's intercept, so ``output_values`` is the surrogate's prediction at the instance; its gap to the
        model's prediction (LIME's ``predict_proba``/``predicted_value``) is kept as ``convergence_delta``.

        Parameters
        ----------
        explanation : lime.explanation.Explanation
        data : array_like, shape (n_features,), optional
            The explained row's feature values (lime only keeps them as rounded strings).
        """
        mapper = getattr(explanation, "domain_mapper", None)
        if not hasattr(explanation, "local_exp") or mapper is None or not hasattr(mapper, "feature_names"):
            raise TypeError(f"from_lime expects a lime tabular Explanation; received {type(explanation).__name__}")
        names = [str(n) for n in mapper.feature_names]
        regression = getattr(explanation, "mode", "classification") == "regression"
        labels = [1] if regression else sorted(explanation.local_exp)
        values, base, conditions = lime_arrays(explanation, labels, len(names))
        if regression:
            output_names, model_output = ["prediction"], np.array([float(explanation.predicted_value)])
        else:
            class_names = explanation.class_names or [str(i) for i in range(max(labels) + 1)]
            output_names = [str(class_names[label]) for label in labels]
            model_output = np.asarray(explanation.predict_proba, dtype=float)[labels]
        row = np.asarray(data, dtype=float) if data is not None else _parse_floats(mapper.feature_values)
        attribution = cls(
            values[None], base[None], data=None if row is None else row[None], feature_names=names,
            output_names=output_names, method="lime",
            output_space="raw" if regression else "probability",
            baseline="intercept of LIME's local linear surrogate (not an average prediction)",
            feature_conditions=[list(conditions)],
        )  # fmt: skip
        attribution.convergence_delta = attribution.output_values - model_output[None]
        return attribution

    def to_frame(self, output: int | None = None) -> Any:
        """A long pandas DataFrame: one row per (instance, feature, output) with value, data and base value.

        ``output`` keeps a single output. Only for 1-D feature shapes (tabular and per-token attributions).
        """
        import pandas as pd

        if len(self.feature_shape) != 1:
            raise ValueError(f"to_frame needs a 1-D feature shape; this attribution's is {self.feature_shape}")
        outputs = range(self.n_outputs) if output is None else [check_index("output", output, self.n_outputs)]
        n, f = self.n_instances, self.feature_shape[0]
        frames = []
        for k in outputs:
            frame = {
                "instance": np.repeat(np.arange(n), f),
                "feature": np.tile(np.asarray(self.feature_names, dtype=object), n),
                "output": self.output_names[k],
                "value": self.values[:, :, k].ravel(),
                "base_value": np.repeat(self.base_values[:, k], f),
            }
            if self.data is not None:
                frame["data"] = self.data.ravel()
            if self.feature_conditions is not None:
                frame["condition"] = [c for row in self.feature_conditions for c in row]
            frames.append(pd.DataFrame(frame))
        return pd.concat(frames, ignore_index=True)


def lime_arrays(explanation: Any, labels: Sequence[int], n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights (n_features, n_labels), intercepts (n_labels,) and feature conditions (n_features,) of one
    lime Explanation; features LIME did not select get weight 0."""
    values = np.zeros((n_features, len(labels)))
    for column, label in enumerate(labels):
        for feature, weight in explanation.local_exp[label]:
            values[int(feature), column] = weight
    base = np.array([float(explanation.intercept[label]) for label in labels])
    mapper = explanation.domain_mapper
    conditions = getattr(mapper, "discretized_feature_names", None) or mapper.feature_names
    return values, base, np.asarray([str(c) for c in conditions], dtype=object)


def _parse_floats(texts: Any) -> np.ndarray | None:
    try:
        return np.asarray([float(t) for t in texts], dtype=float)
    except (TypeError, ValueError):
        return None


def check_index(name: str, value: Any, size: int) -> int:
    """Validate an integer selection index in ``range(size)`` and return it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int; received {type(value).__name__}")
    if not 0 <= value < size:
        raise ValueError(f"{name} must be in 0..{size - 1}; received {value}")
    return int(value)


def _finite_float_array(name: str, value: Any) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a numeric array; received {type(value).__name__} ({exc})") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a numeric array; received dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must be finite; received {int(bad.sum())} NaN/inf value(s), the first at index {first}"
        )
    return arr


def _data_array(data: Any, expected_shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(data)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"data must be numeric; received dtype {arr.dtype} (encode categories as numbers)")
    if arr.shape != expected_shape:
        raise ValueError(f"data must have shape (n_instances, *feature_shape) = {expected_shape}; received {arr.shape}")
    return arr.astype(np.float64)


def _names(kind: str, names: Sequence[str] | None, shape: tuple[int, ...], stem: str) -> tuple[str, ...] | None:
    if names is None:
        return tuple(f"{stem} {i}" for i in range(shape[0])) if len(shape) == 1 else None
    if isinstance(names, str) or not isinstance(names, Sequence | np.ndarray):
        raise TypeError(f"{kind} must be a sequence of str; received {type(names).__name__}")
    names = list(names)
    if len(shape) != 1:
        raise ValueError(f"{kind} need a 1-D shape; this attribution's shape is {shape}")
    if len(names) != shape[0]:
        raise ValueError(f"{kind} must have {shape[0]} entries (one per {stem}); received {len(names)}")
    bad = [type(n).__name__ for n in names if not isinstance(n, str | np.str_)]
    if bad:
        raise TypeError(f"{kind} must all be str; received {bad[0]}")
    return tuple(str(n) for n in names)


def _is_single_instance(values: np.ndarray, base: np.ndarray) -> bool:
    if values.ndim == 1:
        return True
    if values.ndim == 2 and base.ndim == 1:
        # (n, f) with base (n,) is a batch; (f, k) with base (k,) is one multi-output instance.
        return base.shape[0] == values.shape[1] and base.shape[0] != values.shape[0]
    return False


def _list_or_none(names: Any) -> list[str] | None:
    return None if names is None else [str(n) for n in names]
