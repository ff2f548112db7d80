"""SHAP for images: ``shap.GradientExplainer`` (expected gradients) and ``shap.DeepExplainer`` (DeepSHAP).

Both explain only the target classes: the model is wrapped so that its output is those columns (shap would
otherwise compute gradients for every class). Images go one at a time: the bar advances per image, Ctrl-C lands
between images, and GradientExplainer's draws, seeded per image, do not depend on the other images.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._progress import run_in_chunks
from .gradients import predict, scores

#: (tensor, per_image): the reference images, and whether they are one per explained image or one set for all
References = tuple[Any, bool]


def gradient_explainer(
    model: Any,
    x: Any,
    references: References,
    targets: Sequence[int],
    n_samples: int,
    random_state: int | None,
    progress: bool | None,
) -> tuple[np.ndarray, np.ndarray]:
    """``shap.GradientExplainer(...).shap_values(image, nsamples=n_samples, rseed=random_state)`` per image:
    values (n, C, H, W, k) and the mean model output over the references, (n, k)."""
    import shap

    reference, per_image = references
    module = scores(model, targets)
    shared = None if per_image else shap.GradientExplainer(module, reference)
    shared_base = None if per_image else predict(module, reference).mean(axis=0)

    def one(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        part = slice(int(index[0]), int(index[-1]) + 1)
        explainer = shared if shared is not None else shap.GradientExplainer(module, reference[part])
        values = explainer.shap_values(x[part], nsamples=n_samples, rseed=random_state)
        base = shared_base if shared_base is not None else predict(module, reference[part]).mean(axis=0)
        return _outputs_last(values, len(targets)), base[None]

    values, base = run_in_chunks(one, np.arange(len(x)), 1, "GradientExplainer", progress, "image")
    return values, base


def deep_explainer(
    model: Any, x: Any, references: References, targets: Sequence[int], progress: bool | None
) -> tuple[np.ndarray, np.ndarray]:
    """``shap.DeepExplainer(...).shap_values(images, check_additivity=True)``: values (n, C, H, W, k) and
    DeepExplainer's expected value (the mean output over the references), (n, k).

    Raises
    ------
    ValueError
        The network has a layer DeepExplainer cannot handle (it fails, or its values do not add up): the
        message names ``"shap_gradient"``, which works on any differentiable network.
    """
    import shap

    reference, per_image = references
    module = scores(model, targets)

    def explainer_for(part: Any) -> Any:
        try:
            return shap.DeepExplainer(module, part)
        except Exception as exc:
            raise ValueError(_fallback(model, exc)) from exc

    shared = None if per_image else explainer_for(reference)

    def one(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        part = slice(int(index[0]), int(index[-1]) + 1)
        explainer = shared if shared is not None else explainer_for(reference[part])
        try:
            values = explainer.shap_values(x[part], check_additivity=True)
        except Exception as exc:  # unsupported layers surface here, as an error or a failed additivity check
            raise ValueError(_fallback(model, exc)) from exc
        base = np.asarray(explainer.expected_value, dtype=float).reshape(-1)
        return _outputs_last(values, len(targets)), base[None]

    values, base = run_in_chunks(one, np.arange(len(x)), 1, "DeepExplainer", progress, "image")
    return values, base


def _outputs_last(values: Any, k: int) -> np.ndarray:
    """shap returns a list per output (older) or one array with the outputs last (newer): always (n, ..., k)."""
    if isinstance(values, list):
        return np.stack([np.asarray(v, dtype=float) for v in values], axis=-1)
    return np.asarray(values, dtype=float)


def _fallback(model: Any, exc: Exception) -> str:
    detail = f"{type(exc).__name__}: {exc}"
    detail = detail if len(detail) <= 300 else detail[:300] + "…"
    unknown = _unknown_modules(model)
    named = f" (modules it has no rule for: {', '.join(unknown)})" if unknown else ""
    return (
        f"shap.DeepExplainer cannot explain this network{named}: {detail}. It supports only some layer types (not "
        "e.g. LayerNorm, GroupNorm or SiLU, nor functional activations or one activation module used twice). Use "
        "method='shap_gradient' (shap.GradientExplainer, any differentiable network), or 'integrated_gradients'"
    )


def _unknown_modules(model: Any) -> list[str]:
    """Leaf module types DeepExplainer has no rule for (it then passes gradients through unchanged)."""
    try:
        from shap.explainers._deep.deep_pytorch import op_handler
    except ImportError:  # a shap without this private table: say nothing rather than guess
        return []
    leaves = {type(m).__name__ for m in model.modules() if not list(m.children())}
    return sorted(leaves - set(op_handler))
