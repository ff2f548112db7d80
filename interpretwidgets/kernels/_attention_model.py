"""What extracting attention from a model shares, whatever the model: weights as numpy, the maps built and checked,
the value vectors' norms (for value-weighted attention) and gradients on demand (for gradient-weighted attention)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.attention import AttentionMaps
from ._models import to_numpy


def checked_maps(attentions: np.ndarray, tokens: Sequence[str] | None, **kwargs: Any) -> AttentionMaps:
    """``AttentionMaps`` of extracted weights, with errors that say what the extraction received."""
    if attentions.ndim != 4:
        raise ValueError(f"attentions must have shape (layers, heads, tokens, tokens); received {attentions.shape}")
    if tokens is not None and not isinstance(tokens, str) and len(tokens) != attentions.shape[-1]:
        raise ValueError(
            f"tokens and attention differ in length: {len(tokens)} tokens, attention over {attentions.shape[-1]}"
        )
    return AttentionMaps(attentions, tokens, **kwargs)  # type: ignore[arg-type]  (None: "token i" names)


@dataclass
class GradientSource:
    """``∂target/∂attention`` on demand: what AttentionMaps.gradient_weighted calls."""

    run: Any
    default: Any = None

    def __call__(self, target: Any) -> np.ndarray:
        return self.run.gradients(self.default if target is None else target)


def gradients_of(model: Any, outputs: Any, attentions: Sequence[Any], target: Any) -> list[np.ndarray]:
    """∂target/∂attention for each layer's weights; zeros for a layer the target does not depend on."""
    import torch

    score = _score(model, outputs, target)
    grads = torch.autograd.grad(score, attentions, allow_unused=True)
    return [np.zeros(tuple(a.shape)) if g is None else to_numpy(g) for a, g in zip(attentions, grads, strict=True)]


def _score(model: Any, outputs: Any, target: Any) -> Any:
    """The scalar whose gradient is taken: a callable's, or a logit chosen by ``target``."""
    if callable(target):
        score = target(outputs)
        if not hasattr(score, "backward") or score.numel() != 1:
            raise TypeError(f"target(outputs) must return a scalar tensor; received {type(score).__name__}")
        return score.reshape(())
    logits = outputs if hasattr(outputs, "ndim") else getattr(outputs, "logits", None)
    if logits is None:
        raise ValueError(
            f"{type(model).__name__} has no logits (a bare encoder?), so there is no default target; pass "
            "target=a callable(outputs) -> scalar, e.g. lambda out: out.last_hidden_state[0, 0].norm()"
        )
    if logits.ndim == 2 and logits.shape[0] == 1:
        scores, what = logits[0], "class index"
    elif logits.ndim == 3 and logits.shape[0] == 1 and _is_causal(model):
        scores, what = logits[0, -1], "token id (the next token's logit at the last position)"
    else:
        raise ValueError(
            f"no default target for outputs of shape {tuple(logits.shape)}: pass target=a callable(outputs) -> scalar"
        )
    index = int(scores.argmax()) if target is None else int(target)
    if not 0 <= index < scores.shape[0]:
        raise ValueError(f"target must be a {what} in 0..{scores.shape[0] - 1}; received {index}")
    return scores[index]


def _is_causal(model: Any) -> bool:
    can_generate = getattr(model, "can_generate", None)
    return bool(can_generate()) if callable(can_generate) else bool(getattr(model.config, "is_decoder", False))


def transformed_values(values: Any, w_out: Any, heads: int) -> np.ndarray:
    """``f^h(x_j) = v_j^h W_O^h`` for (tokens, heads·d) values and a (hidden, heads·d) output weight."""
    import torch

    n, width = values.shape
    v = values.double().reshape(n, heads, width // heads)
    w = w_out.double().reshape(w_out.shape[0], heads, width // heads)
    return torch.einsum("jhd,ehd->hje", v, w).cpu().numpy()


def norms_and_products(transformed: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """value_norms (layers, heads, tokens) and value_products (layers, tokens, heads, heads) from ``f^h(x_j)``."""
    products = np.stack([np.einsum("hje,gje->jhg", f, f) for f in transformed])
    norms = np.stack([np.linalg.norm(f, axis=-1) for f in transformed])
    return norms, products
