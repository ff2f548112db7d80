"""Interop with the libraries whose results we normalise: shap's ``Explanation`` and lime's ``Explanation``.

Reading another library's objects lives here, once; kernels that call those libraries build their results with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .attribution import Attribution

__all__ = ["from_lime", "from_shap", "lime_weights", "to_shap"]


def from_shap(
    explanation: Any, *, method: str = "shap", output_space: str = "", output_names: Sequence[str] | None = None
) -> Attribution:
    """Build an Attribution from a ``shap.Explanation``.

    Accepts one instance (``values`` of shape ``(n_features,)`` or ``(n_features, n_outputs)``) or a batch
    (``(n, n_features)`` or ``(n, n_features, n_outputs)``). ``output_names`` overrides the explanation's own.
    A ``shap.Explanation`` does not record which explainer made it, so ``method`` says ``"shap"`` unless you
    name it (e.g. ``method="tree"``); ``output_space`` is empty unless you name it.
    """
    if not hasattr(explanation, "values") or not hasattr(explanation, "base_values"):
        raise TypeError(f"from_shap expects a shap.Explanation; received {type(explanation).__name__}")
    values = np.asarray(explanation.values, dtype=float)
    base = np.asarray(explanation.base_values, dtype=float)
    data = None if explanation.data is None else np.asarray(explanation.data)
    if _is_single_instance(values, base):
        values, base = values[None], base[None]
        data = None if data is None else data[None]
    if base.ndim == 1:  # one output: values (n, f) and base (n,)
        values, base = values[..., None], base[:, None]
    if output_names is None:
        output_names = _list_or_none(getattr(explanation, "output_names", None))
        if output_names is not None and len(output_names) != values.shape[-1]:
            output_names = None  # shap keeps output names of the whole model on sliced explanations
    return Attribution(
        values, base, data=data, feature_names=_list_or_none(explanation.feature_names), output_names=output_names,
        method=method, output_space=output_space,
    )  # fmt: skip


def to_shap(attribution: Attribution) -> Any:
    """A ``shap.Explanation`` of ``attribution``; single-output attributions drop the outputs axis, as shap's
    plots expect."""
    import shap

    single = attribution.n_outputs == 1
    return shap.Explanation(
        values=attribution.values[..., 0] if single else attribution.values,
        base_values=attribution.base_values[:, 0] if single else attribution.base_values,
        data=attribution.data,
        feature_names=None if attribution.feature_names is None else list(attribution.feature_names),
        output_names=None if single else list(attribution.output_names),
    )


def from_lime(explanation: Any, data: Any = None) -> Attribution:
    """Build a one-instance Attribution from a ``lime`` tabular ``Explanation``.

    Every explained label becomes an output; features LIME left out get 0. The base value is the surrogate's
    intercept, so ``output_values`` is the surrogate's prediction at the instance; its gap to the model's
    prediction (LIME's ``predict_proba``/``predicted_value``) is kept as ``convergence_delta``.

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
    values, base, conditions = lime_weights(explanation, labels, len(names))
    if regression:
        output_names, model_output = ["prediction"], np.array([float(explanation.predicted_value)])
    else:
        class_names = explanation.class_names or [str(i) for i in range(max(labels) + 1)]
        output_names = [str(class_names[label]) for label in labels]
        model_output = np.asarray(explanation.predict_proba, dtype=float)[labels]
    row = np.asarray(data, dtype=float) if data is not None else _parse_floats(mapper.feature_values)
    attribution = Attribution(
        values[None], base[None], data=None if row is None else row[None], feature_names=names,
        output_names=output_names, method="lime", output_space="raw" if regression else "probability",
        baseline=LIME_BASELINE, feature_conditions=[list(conditions)],
    )  # fmt: skip
    attribution.convergence_delta = attribution.output_values - model_output[None]
    return attribution


#: What LIME's base value is, said in every view that shows one.
LIME_BASELINE = "intercept of LIME's local linear surrogate (not an average prediction)"


def lime_weights(explanation: Any, labels: Sequence[int], n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _is_single_instance(values: np.ndarray, base: np.ndarray) -> bool:
    if values.ndim == 1:
        return True
    if values.ndim == 2 and base.ndim == 1:
        # (n, f) with base (n,) is a batch; (f, k) with base (k,) is one multi-output instance.
        return base.shape[0] == values.shape[1] and base.shape[0] != values.shape[0]
    return False


def _list_or_none(names: Any) -> list[str] | None:
    return None if names is None else [str(n) for n in names]
