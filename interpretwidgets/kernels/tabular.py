"""Attributions for tabular models: ``explain_tabular`` and its registry of methods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Attribution
from ..data.interop import LIME_BASELINE, lime_weights
from ._inputs import check_count, check_fitted, check_model_width, tabular_matrix
from ._models import explained_function, is_torch_module, prediction_function
from ._progress import run_in_chunks
from ._random import seeded
from .registry import Registry

__all__ = ["TABULAR", "TabularTask", "explain_tabular"]

#: rows per explainer call: progress advances and Ctrl-C lands between chunks
CHUNK_ROWS = {"tree": 1000, "kernel": 8, "permutation": 32, "lime": 1}
KERNEL_BACKGROUND_CENTRES = 10

_TREE_OUTPUT_SPACE = {"probability": "probability", "log_odds": "log-odds", "raw_value": "raw"}


@dataclass(frozen=True)
class TabularTask:
    """What every tabular method receives, validated: ``X`` and ``background`` are finite float matrices of the
    same width, ``feature_names`` has one name per column."""

    model: Any
    X: np.ndarray
    feature_names: list[str]
    output_names: Sequence[str] | None
    background: np.ndarray | None
    n_samples: int | None
    random_state: int | None
    progress: bool | None


TABULAR: Registry[TabularTask, Attribution] = Registry("tabular")


def explain_tabular(
    model: Any,
    X: Any,
    method: str = "tree",
    *,
    feature_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    background: Any = None,
    n_samples: int | None = None,
    random_state: int | None = None,
    progress: bool | None = None,
) -> Attribution:
    """Explain a tabular model's predictions on ``X``.

    Parameters
    ----------
    model : fitted estimator, torch.nn.Module or callable
        ``"tree"``: a tree ensemble ``shap.TreeExplainer`` supports (scikit-learn forests and boosting,
        xgboost/lightgbm when installed). ``"kernel"``, ``"permutation"``, ``"lime"``: anything with
        ``predict_proba`` (explained in probability) or ``predict``, or a callable ``f(X) -> outputs``.
        ``"deep"``, ``"integrated_gradients"``, ``"gradient_shap"``: a ``torch.nn.Module`` mapping
        (n, n_features) float tensors to (n, n_outputs) (explained in its raw output, e.g. logits).
    X : array_like or pandas.DataFrame, shape (n_instances, n_features)
        The instances to explain; numeric and finite. A DataFrame gives its column names.
    method : str
        A registered method (``TABULAR.names()``): ``"tree"``, ``"kernel"``, ``"permutation"``, ``"lime"``,
        ``"deep"``, ``"integrated_gradients"``, ``"gradient_shap"``.
    feature_names, output_names : sequence of str, optional
        Override the feature names (default: DataFrame columns or ``"feature i"``) and output names
        (default: the model's ``classes_``, or ``"prediction"``).
    background : array_like, optional
        Reference data the explanation is relative to. ``"tree"``: interventional TreeSHAP over it (default:
        path-dependent, no background). ``"kernel"``: summarised to 10 k-means centres (default: ``X``).
        ``"permutation"``, ``"deep"``, ``"gradient_shap"``: the masker/baseline distribution (default: up to
        100 rows of ``X``). ``"lime"``: the training statistics for sampling (default: ``X``).
        ``"integrated_gradients"``: its mean is the baseline (default: all zeros).
    n_samples : int, optional
        Method budget: KernelSHAP ``nsamples``, permutation ``max_evals``, LIME ``num_samples``, integrated
        gradients ``n_steps``, GradientShap ``n_samples``.
    random_state : int, optional
        Makes the sampling methods deterministic (without touching the global random state).
    progress : bool, optional
        Show a tqdm.auto bar; by default only when the work spans more than one chunk of rows.

    Returns
    -------
    Attribution
        ``values`` of shape (n_instances, n_features, n_outputs). SHAP methods add up exactly
        (``output_values`` equals the model output); every method records how far it misses in
        ``convergence_delta`` (Σ values + base − f(x)), which the views show.

    Raises
    ------
    ValueError, TypeError
        Unknown method (the message lists the registered ones), a model the method cannot explain, bad ``X``,
        background or names — before any explainer runs.
    """
    entry = TABULAR.get(method)
    matrix, names = tabular_matrix(X, feature_names)
    _check_model_kind(model, entry.name, entry.model)
    check_fitted(model, matrix)
    n_samples = check_count("n_samples", n_samples)
    random_state = check_count("random_state", random_state, minimum=0)
    check_model_width(model, matrix.shape[1])
    background_matrix = None
    if background is not None:
        background_matrix, _ = tabular_matrix(background, None)
        if background_matrix.shape[1] != matrix.shape[1]:
            raise ValueError(
                f"background must have {matrix.shape[1]} columns like X; received {background_matrix.shape[1]}"
            )
    task = TabularTask(model, matrix, names, output_names, background_matrix, n_samples, random_state, progress)
    return entry.compute(task)


def _check_model_kind(model: Any, method: str, kind: str) -> None:
    torch_model = is_torch_module(model)
    if kind == "torch" and not torch_model:
        raise TypeError(
            f"method={method!r} needs a torch.nn.Module; received {type(model).__name__}. "
            "For other models use 'kernel', 'permutation' or 'lime'"
        )
    if kind == "tree" and torch_model:
        raise ValueError(
            "method='tree' needs a tree model; received a torch.nn.Module (use 'deep' or 'integrated_gradients')"
        )


@TABULAR.register("tree", model="tree", summary="TreeSHAP (shap.TreeExplainer), exact for tree ensembles")
def tree(task: TabularTask) -> Attribution:
    import shap

    model, X, background = task.model, task.X, task.background
    try:
        if background is None:
            explainer = shap.TreeExplainer(model)
        else:
            explainer = shap.TreeExplainer(model, data=background, feature_perturbation="interventional")
    except Exception as exc:  # shap raises InvalidModelError, TypeError... for unsupported models
        raise ValueError(
            "method='tree' needs a tree model supported by shap.TreeExplainer (e.g. RandomForestClassifier, "
            f"GradientBoostingRegressor, XGBClassifier); received {type(model).__name__}: {exc}. "
            "For other models use 'kernel', 'permutation' or 'lime'"
        ) from exc
    output_space = _TREE_OUTPUT_SPACE.get(str(getattr(explainer.model, "tree_output", None)), "raw")
    predict, output_space, outputs = explained_function(model, X, task.output_names, output_space)

    def chunk(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        explanation = explainer(rows, check_additivity=True)
        return _with_outputs_axis(explanation.values, explanation.base_values, len(rows))

    values, base = run_in_chunks(chunk, X, CHUNK_ROWS["tree"], "TreeSHAP", task.progress)
    baseline = (
        f"mean model output over the {len(background)} background rows (interventional TreeSHAP)"
        if background is not None
        else "expected model output over the training data, from the trees' node counts (path-dependent)"
    )
    return _with_gap(Attribution(
        values, base, data=X, feature_names=task.feature_names, output_names=outputs, method="tree",
        output_space=output_space, baseline=baseline,
    ), predict, X)  # fmt: skip


@TABULAR.register("kernel", summary="KernelSHAP (shap.KernelExplainer) on a k-means summary of the background")
def kernel(task: TabularTask) -> Attribution:
    import shap

    X, background = task.X, task.background
    predict, output_space, outputs = explained_function(task.model, X, task.output_names)
    reference = X if background is None else background
    summary = (
        shap.kmeans(reference, KERNEL_BACKGROUND_CENTRES) if len(reference) > KERNEL_BACKGROUND_CENTRES else reference
    )
    explainer = shap.KernelExplainer(predict, summary)
    budget = "auto" if task.n_samples is None else int(task.n_samples)

    def chunk(rows: np.ndarray) -> tuple[np.ndarray]:
        return (_stack_outputs(explainer.shap_values(rows, nsamples=budget, silent=True), len(outputs)),)

    with seeded(task.random_state):
        (values,) = run_in_chunks(chunk, X, CHUNK_ROWS["kernel"], "KernelSHAP", task.progress)
    base = np.broadcast_to(np.asarray(explainer.expected_value, dtype=float).reshape(-1), (len(X), len(outputs)))
    source = "background" if background is not None else "explained rows"
    centres = len(summary.data if hasattr(summary, "data") else summary)
    baseline = f"mean model output over {centres} k-means centres of the {source}"
    return _with_gap(Attribution(
        values, base, data=X, feature_names=task.feature_names, output_names=outputs, method="kernel",
        output_space=output_space, baseline=baseline,
    ), predict, X)  # fmt: skip


@TABULAR.register("permutation", summary="PermutationSHAP (shap.PermutationExplainer) over background rows")
def permutation(task: TabularTask) -> Attribution:
    import shap

    X = task.X
    predict, output_space, outputs = explained_function(task.model, X, task.output_names)
    reference = _subsample(X if task.background is None else task.background, 100, task.random_state)
    masker = shap.maskers.Independent(reference, max_samples=len(reference))
    explainer = shap.PermutationExplainer(predict, masker, seed=task.random_state)
    max_evals = max(int(task.n_samples or 500), 2 * X.shape[1] + 1)

    def chunk(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        explanation = explainer(rows, max_evals=max_evals, silent=True)
        return _with_outputs_axis(explanation.values, explanation.base_values, len(rows))

    values, base = run_in_chunks(chunk, X, CHUNK_ROWS["permutation"], "PermutationSHAP", task.progress)
    return _with_gap(Attribution(
        values, base, data=X, feature_names=task.feature_names, output_names=outputs, method="permutation",
        output_space=output_space, baseline=f"mean model output over {len(reference)} background rows",
    ), predict, X)  # fmt: skip


@TABULAR.register("lime", summary="LIME (lime.LimeTabularExplainer): a local linear surrogate per instance")
def lime(task: TabularTask) -> Attribution:
    from lime.lime_tabular import LimeTabularExplainer

    model, X, background = task.model, task.X, task.background
    predict, output_space, outputs = explained_function(model, X, task.output_names)
    n_outputs = len(outputs)
    classification = output_space == "probability"
    if output_space == "margin":
        raise TypeError(
            f"method='lime' explains class probabilities; {type(model).__name__} has no predict_proba "
            "(fit it with probability estimates, e.g. SVC(probability=True), or use method='kernel')"
        )
    if not classification and n_outputs != 1:
        raise ValueError(
            f"method='lime' explains a classifier's predict_proba or a single-output regressor; this model "
            f"has no predict_proba and gives {n_outputs} outputs"
        )
    explainer = LimeTabularExplainer(
        X if background is None else background,
        mode="classification" if classification else "regression",
        feature_names=task.feature_names, class_names=outputs if classification else None,
        discretize_continuous=True, random_state=task.random_state,
    )  # fmt: skip
    labels = list(range(n_outputs)) if classification else [1]  # lime keeps a regressor's weights under label 1

    def lime_predict(rows: np.ndarray) -> np.ndarray:
        out = predict(rows)
        return out if classification else out[:, 0]

    def chunk(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        results = [
            lime_weights(
                explainer.explain_instance(
                    row, lime_predict, labels=labels, num_features=X.shape[1], num_samples=int(task.n_samples or 5000)
                ),
                labels,
                X.shape[1],
            )
            for row in rows
        ]
        return tuple(np.stack(parts) for parts in zip(*results, strict=True))  # type: ignore[return-value]

    values, base, conditions = run_in_chunks(chunk, X, CHUNK_ROWS["lime"], "LIME", task.progress)
    attribution = Attribution(
        values, base, data=X, feature_names=task.feature_names, output_names=outputs, method="lime",
        output_space=output_space, baseline=LIME_BASELINE,
        feature_conditions=conditions.tolist(),
    )  # fmt: skip
    attribution.convergence_delta = attribution.output_values - predict(X)
    return attribution


def _with_outputs_axis(values: Any, base: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(values, dtype=float)
    base = np.asarray(base, dtype=float)
    if values.ndim == 2:
        values = values[..., None]
    return values, np.broadcast_to(
        base.reshape(n, -1) if base.size >= n else base.reshape(1, -1), (n, values.shape[-1])
    )


def _stack_outputs(values: Any, n_outputs: int) -> np.ndarray:
    """shap returns a list per output (older) or one (n, f[, k]) array (newer): always (n, f, k)."""
    if isinstance(values, list):
        return np.stack([np.asarray(v, dtype=float) for v in values], axis=-1)
    values = np.asarray(values, dtype=float)
    return values[..., None] if values.ndim == 2 and n_outputs == 1 else values


def _with_gap(attribution: Attribution, predict: Any, X: np.ndarray) -> Attribution:
    """``attribution`` with its completeness gap recorded, Σ values + base − f(x) (one model call): SHAP methods are
    complete by construction, and the views show that they are, to the digit, rather than saying so."""
    attribution.convergence_delta = attribution.output_values - np.asarray(predict(X), dtype=float).reshape(
        attribution.n_instances, attribution.n_outputs
    )
    return attribution


def _subsample(rows: np.ndarray, limit: int, random_state: int | None) -> np.ndarray:
    if len(rows) <= limit:
        return rows
    return rows[np.random.default_rng(random_state).choice(len(rows), limit, replace=False)]


def explained_output(model: Any, attribution: Attribution, X: Any) -> np.ndarray:
    """The model output, in the attribution's output space, that ``attribution.output_values`` explains."""
    matrix, _ = tabular_matrix(X, None)
    return prediction_function(model, attribution.output_space)[0](matrix)


from . import tabular_torch  # noqa: E402, F401 - registers the torch methods (torch itself loads on first use)

#: the registered method names
METHODS = TABULAR.names()
