"""Attention from any torch model built on ``nn.MultiheadAttention``: every call forced to return per-head weights,
through hooks that are always removed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.attention import AttentionMaps
from ._attention_model import (
    GradientSource,
    checked_maps,
    gradients_of,
    norms_and_products,
    transformed_values,
)
from ._borrow import borrowed
from ._hf import model_device
from ._models import to_numpy


def multihead_modules(model: Any) -> list[Any]:
    import torch

    return [m for m in model.modules() if isinstance(m, torch.nn.MultiheadAttention)]


def from_multihead(model: Any, inputs: Any, tokens: Sequence[str] | None, target: Any) -> AttentionMaps:
    if inputs is None:
        raise TypeError("a torch model built on nn.MultiheadAttention needs its input: attention(model, inputs, "
                        "tokens=names)")  # fmt: skip
    run = _MultiheadRun(model, inputs)
    weights, transformed = run.extract()
    norms, products = norms_and_products(transformed)
    maps = checked_maps(weights, tokens, method=type(model).__name__, value_norms=norms, value_products=products)
    maps._gradient_source = GradientSource(run, target)
    return maps


@dataclass
class _MultiheadRun:
    """A forward pass of a model built on nn.MultiheadAttention, each call forced to return per-head weights."""

    model: Any
    inputs: Any

    def forward(self, grad: bool) -> tuple[Any, list[Any], list[Any]]:
        import torch

        model, calls = self.model, []
        fastpath = torch.backends.mha.get_fastpath_enabled()
        try:
            # the fused fast path skips the module's hooks and never forms the weights
            torch.backends.mha.set_fastpath_enabled(False)
            with borrowed(model), _multihead_hooks(model, calls, recompute=grad):
                model.eval()
                if grad and not any(p.requires_grad for p in model.parameters()):
                    for p in model.parameters():
                        p.requires_grad_(True)
                with torch.set_grad_enabled(grad):
                    outputs = _call(model, self.inputs, model_device(model))
        finally:
            torch.backends.mha.set_fastpath_enabled(fastpath)
        if not calls:
            raise ValueError(f"{type(model).__name__}'s forward pass called none of its nn.MultiheadAttention modules")
        return outputs, [w for w, _, _ in calls], calls

    def extract(self) -> tuple[np.ndarray, list[np.ndarray]]:
        _, weights, calls = self.forward(grad=False)
        shapes = {tuple(w.shape) for w in weights}
        if len(shapes) != 1:
            raise ValueError(f"every attention call must have the same shape; received {sorted(shapes)}")
        _, q, k = weights[0].shape
        if q != k:
            raise ValueError(
                f"expected self-attention (as many keys as queries); received {q} queries and {k} keys (cross-"
                "attention, or add_bias_kv / add_zero_attn)"
            )
        transformed = [transformed_values(_values(module, value), module.out_proj.weight.detach(), module.num_heads)
                       for _, module, value in calls]  # fmt: skip
        return np.stack([to_numpy(w) for w in weights]), transformed

    def gradients(self, target: Any) -> np.ndarray:
        outputs, weights, _ = self.forward(grad=True)
        return np.stack(gradients_of(self.model, outputs, weights, target))


def _call(model: Any, inputs: Any, device: Any) -> Any:
    def move(x: Any) -> Any:
        return x.to(device) if hasattr(x, "to") and hasattr(x, "device") else x

    if isinstance(inputs, Mapping):
        return model(**{k: move(v) for k, v in inputs.items()})
    if isinstance(inputs, tuple):
        return model(*(move(v) for v in inputs))
    return model(move(inputs))


# MultiheadAttention.forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights, ...)
_NEED_WEIGHTS, _AVERAGE = 4, 6


@contextlib.contextmanager
def _multihead_hooks(model: Any, calls: list, recompute: bool) -> Iterator[None]:
    """Force every nn.MultiheadAttention call to return per-head weights and record ``(weights (heads, q, k),
    module, value input)``. With ``recompute``, the call's output is recomputed from the returned weights so that
    the output depends on them in the autograd graph (torch returns a view taken after using the weights)."""
    handles = []
    pending: dict[int, Any] = {}

    def pre_hook(module: Any, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        args = list(args)
        for index, name, value in ((_NEED_WEIGHTS, "need_weights", True), (_AVERAGE, "average_attn_weights", False)):
            if len(args) > index:
                args[index] = value
            else:
                kwargs[name] = value
        pending[id(module)] = args[2] if len(args) > 2 else kwargs["value"]
        return tuple(args), kwargs

    def hook(module: Any, _args: tuple, _kwargs: dict, output: tuple) -> Any:
        _, weights = output
        value = pending.pop(id(module))
        batched = weights.dim() == 4
        if batched and weights.shape[0] != 1:
            raise ValueError(f"expected a batch of one input; received a batch of {weights.shape[0]}")
        single = weights[0] if batched else weights  # the tensor gradients are taken with respect to
        calls.append((single, module, _first(module, value)))
        if recompute:
            return _recompute(module, value, single), weights
        return output

    try:
        for module in multihead_modules(model):
            handles.append(module.register_forward_pre_hook(pre_hook, with_kwargs=True))
            handles.append(module.register_forward_hook(hook, with_kwargs=True))
        yield
    finally:
        for handle in handles:
            handle.remove()


def _first(module: Any, value: Any) -> Any:
    """The value input of the batch's only item, (tokens, embed)."""
    if value.dim() == 2:
        return value
    return value[0] if module.batch_first else value[:, 0]


def _values(module: Any, value: Any, detach: bool = True) -> Any:
    """``x W_V + b_V`` for a (tokens, embed) value input."""
    import torch

    e = module.embed_dim
    weight = module.in_proj_weight[2 * e :] if module.in_proj_weight is not None else module.v_proj_weight
    bias = None if module.in_proj_bias is None else module.in_proj_bias[2 * e :]
    values = torch.nn.functional.linear(value, weight, bias)
    return values.detach() if detach else values


def _recompute(module: Any, value: Any, weights: Any) -> Any:
    """The attention output ``out_proj(weights @ V)`` for one item's (heads, q, k) weights, in the call's layout."""
    e, heads = module.embed_dim, module.num_heads
    v = _values(module, _first(module, value), detach=False)  # (S, E)
    s = v.shape[0]
    v = v.reshape(s, heads, e // heads).transpose(0, 1)  # (heads, S, d)
    out = module.out_proj((weights @ v).transpose(0, 1).reshape(weights.shape[1], e))  # (q, E)
    if value.dim() == 2:
        return out
    return out.unsqueeze(0) if module.batch_first else out.unsqueeze(1)
