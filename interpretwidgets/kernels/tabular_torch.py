"""Attributions for torch tabular networks: DeepSHAP (shap), Integrated Gradients and GradientShap (captum)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..explanation import Attribution
from ._borrow import borrowed
from ._models import output_names_for
from ._progress import run_in_chunks
from ._random import seeded

CHUNK_ROWS = 256
DEFAULT_BACKGROUND_ROWS = 100


def explain_torch(
    model: Any,
    X: np.ndarray,
    method: str,
    names: list[str],
    output_names: Sequence[str] | None,
    background: np.ndarray | None,
    n_samples: int | None,
    random_state: int | None,
    progress: bool | None,
) -> Attribution:
    """Run one of ``"deep"``, ``"integrated_gradients"``, ``"gradient_shap"``; the model is returned as lent."""
    import torch

    with borrowed(model), seeded(random_state):
        model.eval()
        dtype = _dtype(model)
        forward = _as_matrix_output(model)
        x = torch.as_tensor(X, dtype=dtype)
        try:
            with torch.no_grad():
                n_outputs = forward(x[:1]).shape[1]
        except Exception as exc:
            raise ValueError(
                f"the model could not run on X of shape {X.shape} as a {dtype} tensor: {type(exc).__name__}: {exc}"
            ) from exc
        outputs = output_names_for(model, n_outputs, output_names)
        reference = _reference(X, background, random_state)
        ref = torch.as_tensor(reference, dtype=dtype)
        if method == "deep":
            values, base, baseline = _deep(model, forward, x, ref, n_outputs, progress)
            delta = None
        elif method == "integrated_gradients":
            values, base, baseline, delta = _integrated_gradients(
                forward, x, background, dtype, n_outputs, n_samples, progress
            )
        else:
            values, base, baseline, delta = _gradient_shap(forward, x, ref, n_outputs, n_samples, progress)
    return Attribution(
        values, base, data=X, feature_names=names, output_names=outputs, method=method, output_space="raw",
        baseline=baseline, convergence_delta=delta if delta is not None else None,
    )  # fmt: skip


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


def _deep(model, forward, x, ref, n_outputs, progress):
    import shap
    import torch

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


def _integrated_gradients(forward, x, background, dtype, n_outputs, n_samples, progress):
    import torch
    from captum.attr import IntegratedGradients

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


def _gradient_shap(forward, x, ref, n_outputs, n_samples, progress):
    import torch
    from captum.attr import GradientShap

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
