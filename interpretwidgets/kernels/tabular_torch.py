"""Attributions for torch tabular networks: DeepSHAP (shap), Integrated Gradients and GradientShap (captum)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Attribution
from ._borrow import borrowed
from ._models import output_names_for
from ._progress import run_in_chunks
from ._random import seeded
from .tabular import TABULAR, TabularTask

CHUNK_ROWS = 256
DEFAULT_BACKGROUND_ROWS = 100


@dataclass(frozen=True)
class TorchRun:
    """What the torch methods share once the model is borrowed: the forward function with (n, n_outputs)
    output, inputs and background as tensors of the model's dtype, and the output names."""

    forward: Any
    x: Any
    reference: Any
    dtype: Any
    n_outputs: int
    outputs: list[str]


def _run_torch(
    task: TabularTask, method: str, compute: Callable[[TorchRun], tuple[np.ndarray, np.ndarray, str, Any]]
) -> Attribution:
    """Borrow the model (given back as lent), seed, check it runs on ``X``, then ``compute``."""
    import torch

    model = task.model
    with borrowed(model), seeded(task.random_state):
        model.eval()
        dtype = _dtype(model)
        forward = _as_matrix_output(model)
        x = torch.as_tensor(task.X, dtype=dtype)
        try:
            with torch.no_grad():
                n_outputs = forward(x[:1]).shape[1]
        except Exception as exc:
            raise ValueError(
                f"the model could not run on X of shape {task.X.shape} as a {dtype} tensor: {type(exc).__name__}: {exc}"
            ) from exc
        outputs = output_names_for(model, n_outputs, task.output_names)
        reference = torch.as_tensor(_reference(task.X, task.background, task.random_state), dtype=dtype)
        values, base, baseline, delta = compute(TorchRun(forward, x, reference, dtype, n_outputs, outputs))
    return Attribution(
        values, base, data=task.X, feature_names=task.feature_names, output_names=outputs, method=method,
        output_space="raw", baseline=baseline, convergence_delta=delta,
    )  # fmt: skip


@TABULAR.register("deep", model="torch", summary="DeepSHAP (shap.DeepExplainer) for torch networks")
def deep(task: TabularTask) -> Attribution:
    return _run_torch(task, "deep", lambda run: (*_deep(task.model, run, task.progress), None))


@TABULAR.register(
    "integrated_gradients", model="torch", summary="Integrated gradients (captum), convergence delta kept"
)
def integrated_gradients(task: TabularTask) -> Attribution:
    def compute(run: TorchRun) -> tuple[np.ndarray, np.ndarray, str, Any]:
        return _integrated_gradients(run, task.background, task.n_samples, task.progress)

    return _run_torch(task, "integrated_gradients", compute)


@TABULAR.register("gradient_shap", model="torch", summary="GradientShap (captum) over background rows")
def gradient_shap(task: TabularTask) -> Attribution:
    return _run_torch(task, "gradient_shap", lambda run: _gradient_shap(run, task.n_samples, task.progress))


def _dtype(model: Any) -> Any:
    import torch

    parameter = next(model.parameters(), None)
    return parameter.dtype if parameter is not None else torch.float32


def _as_matrix_output(model: Any) -> Any:
    """The model as a function with (n, n_outputs) output (a regressor's (n,) gets its outputs axis)."""

    def forward(inputs: Any) -> Any:
        out = model(inputs)
        return out.reshape(len(inputs), -1)

    return forward


def _reference(X: np.ndarray, background: np.ndarray | None, random_state: int | None) -> np.ndarray:
    rows = X if background is None else background
    if len(rows) <= DEFAULT_BACKGROUND_ROWS:
        return rows
    pick = np.random.default_rng(random_state).choice(len(rows), DEFAULT_BACKGROUND_ROWS, replace=False)
    return rows[np.sort(pick)]


def _deep(model, run: TorchRun, progress):
    import shap
    import torch

    forward, x, ref, n_outputs = run.forward, run.x, run.reference, run.n_outputs
    module = model
    with torch.no_grad():
        flat_output = forward(ref[:1]).shape != model(ref[:1]).shape
    if flat_output:  # DeepExplainer needs (n, k) outputs: add the axis
        module = torch.nn.Sequential(model, torch.nn.Unflatten(0, (-1, 1)))
    try:
        explainer = shap.DeepExplainer(module, ref)
    except Exception as exc:
        raise ValueError(_deep_fallback(exc)) from exc

    def chunk(rows: Any) -> tuple[np.ndarray]:
        try:
            sv = explainer.shap_values(rows, check_additivity=True)
        except Exception as exc:  # unsupported layers (LayerNorm, attention...) surface here
            raise ValueError(_deep_fallback(exc)) from exc
        if isinstance(sv, list):
            sv = np.stack([np.asarray(v) for v in sv], axis=-1)
        sv = np.asarray(sv, dtype=float)
        return (sv[..., None] if sv.ndim == 2 else sv,)

    (values,) = run_in_chunks(chunk, x, CHUNK_ROWS, "DeepSHAP", progress)
    base = np.broadcast_to(np.asarray(explainer.expected_value, dtype=float).reshape(-1), (len(x), n_outputs))
    return values, base, f"mean model output over {len(ref)} background rows (DeepLIFT rescale, DeepSHAP)"


def _deep_fallback(exc: Exception) -> str:
    return (
        f"shap.DeepExplainer cannot explain this network ({type(exc).__name__}: {exc}); it supports only some "
        "layer types (not e.g. LayerNorm). Use method='integrated_gradients', 'gradient_shap' or 'kernel'"
    )


def _integrated_gradients(run: TorchRun, background, n_samples, progress):
    import torch
    from captum.attr import IntegratedGradients

    forward, x, dtype, n_outputs = run.forward, run.x, run.dtype, run.n_outputs
    if background is None:
        baseline_row = torch.zeros((1, x.shape[1]), dtype=dtype)
        described = "model output at the all-zeros input (captum's default baseline)"
    else:
        baseline_row = torch.as_tensor(background.mean(axis=0, keepdims=True), dtype=dtype)
        described = f"model output at the mean of the {len(background)} background rows"
    method = IntegratedGradients(forward)
    steps = int(n_samples or 64)

    def chunk(rows: Any) -> tuple[np.ndarray, np.ndarray]:
        baselines = baseline_row.expand_as(rows)
        values, deltas = [], []
        for k in range(n_outputs):
            attr, delta = method.attribute(
                rows, baselines=baselines, target=k, n_steps=steps, return_convergence_delta=True
            )
            values.append(attr.detach().double().numpy())
            deltas.append(delta.detach().double().numpy().reshape(-1))
        return np.stack(values, axis=-1), np.stack(deltas, axis=-1)

    values, delta = run_in_chunks(chunk, x, CHUNK_ROWS, "Integrated gradients", progress)
    with torch.no_grad():
        base_row = forward(baseline_row).double().numpy().reshape(-1)
    return values, np.broadcast_to(base_row, (len(x), n_outputs)), described, delta


def _gradient_shap(run: TorchRun, n_samples, progress):
    import torch
    from captum.attr import GradientShap

    forward, x, ref, n_outputs = run.forward, run.x, run.reference, run.n_outputs
    method = GradientShap(forward)
    samples = int(n_samples or 50)

    def chunk(rows: Any) -> tuple[np.ndarray]:
        values = [
            method.attribute(rows, baselines=ref, target=k, n_samples=samples).detach().double().numpy()
            for k in range(n_outputs)
        ]
        return (np.stack(values, axis=-1),)

    (values,) = run_in_chunks(chunk, x, CHUNK_ROWS, "GradientShap", progress)
    with torch.no_grad():
        base_row = forward(ref).double().numpy().mean(axis=0)
        output = forward(x).double().numpy()
    base = np.broadcast_to(base_row, (len(x), n_outputs))
    delta = values.sum(axis=1) + base - output  # GradientShap is complete only in expectation
    return values, base, f"mean model output over {len(ref)} background rows", delta
