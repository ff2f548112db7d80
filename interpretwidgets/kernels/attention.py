"""Attention maps from a model: Hugging Face encoders and decoders, any torch model built on
``nn.MultiheadAttention``, a TransformerLens cache, or arrays; with what the maps' methods need from the model.

Extraction is one forward pass, in eval mode and with the eager attention implementation (sdpa and flash kernels
never form the weights), on a borrowed model. It also gathers each token's value norms (for value-weighted attention)
and keeps a closure holding the model, so that gradient-weighted attention is computed on demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..data.attention import AttentionMaps
from ._attention_hf import from_transformers, is_transformers_model
from ._attention_model import checked_maps, norms_and_products
from ._attention_multihead import from_multihead, multihead_modules
from ._hf import looks_like_tokenizer
from ._models import is_torch_module, to_numpy

__all__ = ["attention"]

SUPPORTED = (
    "a Hugging Face transformers model (BERT-like encoders, GPT-2-like decoders) with its tokenizer; a torch model "
    "built on nn.MultiheadAttention with its input tensor; a TransformerLens ActivationCache (blocks.{l}.attn."
    "hook_pattern); or an array / tensor of shape (layers, heads, tokens, tokens), or a tuple of per-layer "
    "(1, heads, tokens, tokens) tensors"
)

PATTERN = "blocks.{}.attn.hook_pattern"


def attention(
    model: Any,
    tokenizer: Any = None,
    text: Any = None,
    max_length: int | None = None,
    *,
    tokens: Sequence[str] | None = None,
    target: Any = None,
    progress: bool | None = None,
) -> AttentionMaps:
    """Extract every layer's and head's attention weights for one text.

    Parameters
    ----------
    model : model, cache or array
        What holds the attention:

        - a Hugging Face ``transformers`` model (BERT-like, GPT-2-like...) with ``tokenizer`` and ``text``;
        - a ``torch.nn.Module`` built on ``nn.MultiheadAttention`` (self-attention), with its input as ``text``
          (a tensor, a tuple of positional arguments or a dict of keyword arguments; batch size 1) — or directly as
          the second argument: ``attention(model, inputs, tokens=names)``;
        - a TransformerLens ``ActivationCache`` (what ``run_with_cache`` returns), read by its keys
          ``blocks.{l}.attn.hook_pattern`` of shape (1, heads, q, k) or (heads, q, k), with ``tokens``;
        - a numpy array or torch tensor (layers, heads, tokens, tokens), or a tuple of per-layer
          (1, heads, tokens, tokens) tensors as ``output_attentions=True`` returns, with ``tokens``.
    tokenizer : transformers tokenizer, optional
        The model's own. The tokens, and which ones it added (the special-token mask), come from it.
    text : str, or the model's input
        One text, for a Hugging Face model; the input, for a ``nn.MultiheadAttention`` model.
    max_length : int, optional
        The most tokens kept (default: the tokenizer's ``model_max_length`` and the config's
        ``max_position_embeddings``, the smaller). A longer text is truncated, with a ``UserWarning`` and the maps'
        ``warning`` set, which the views show.
    tokens : sequence of str, optional
        The token names when there is no tokenizer (default: ``"token 0"``, ``"token 1"``...).
    target : int or callable, optional
        The default target of ``maps.gradient_weighted()`` (see :meth:`AttentionMaps.gradient_weighted`).
    progress : bool, optional
        Accepted for the kernels' common signature; extraction is one forward pass and shows no bar
        (``maps.flow`` has its own).

    Returns
    -------
    AttentionMaps
        With ``value_norms`` and ``value_products`` for BERT-like, GPT-2-like and ``nn.MultiheadAttention`` models
        (and a cache whose ``model`` has ``W_O``), and gradients on demand for models.

    Raises
    ------
    TypeError
        An unsupported model (the message lists what is supported), a missing tokenizer, arguments that do not
        apply to the model given, a target that is neither an int nor a callable.
    ValueError
        Empty text, tokens and attention of different lengths, a tokenizer whose vocabulary does not fit the model's
        embeddings, a batch of more than one, cross-attention, an attention implementation that cannot be switched
        to eager (load the model with ``from_pretrained(..., attn_implementation="eager")``).
    """
    _check_target(target)
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool or None; received {type(progress).__name__}")
    if _is_pattern_cache(model):
        _no_model_arguments("a TransformerLens cache", tokenizer, text, max_length, target)
        return _from_cache(model, tokens)
    if _is_attention_array(model):
        _no_model_arguments("attention arrays", tokenizer, text, max_length, target)
        return _from_arrays(model, tokens)
    if is_torch_module(model) and is_transformers_model(model):
        if tokens is not None:
            raise TypeError("tokens= is for models without a tokenizer; a Hugging Face model's come from its tokenizer")
        return from_transformers(model, tokenizer, text, max_length, target)
    if is_torch_module(model) and multihead_modules(model):
        if text is None and tokenizer is not None and not looks_like_tokenizer(tokenizer):
            text, tokenizer = tokenizer, None  # attention(model, inputs, tokens=...)
        if tokenizer is not None or max_length is not None:
            raise TypeError(
                "a torch model built on nn.MultiheadAttention takes its input tensor and tokens=: "
                "attention(model, inputs, tokens=names); tokenizer and max_length apply to Hugging Face models"
            )
        return from_multihead(model, text, tokens, target)
    raise TypeError(f"unsupported model: expected {SUPPORTED}; received {type(model).__name__}")


def _check_target(target: Any) -> None:
    if target is None or callable(target):
        return
    if isinstance(target, bool) or not isinstance(target, int | np.integer):
        raise TypeError(f"target must be an int, a callable(outputs) -> scalar or None; received {target!r}")


def _no_model_arguments(kind: str, tokenizer: Any, text: Any, max_length: Any, target: Any) -> None:
    given = [name for name, v in (("tokenizer", tokenizer), ("text", text), ("max_length", max_length),
                                  ("target", target)) if v is not None]  # fmt: skip
    if given:
        raise TypeError(f"{kind} take tokens= only; {', '.join(given)} apply to models (received {given[0]})")


def _is_attention_array(value: Any) -> bool:
    if isinstance(value, np.ndarray) or type(value).__name__ == "Tensor":
        return True
    return (
        isinstance(value, tuple | list)
        and len(value) > 0
        and all(isinstance(v, np.ndarray) or hasattr(v, "detach") for v in value)
    )


def _from_arrays(value: Any, tokens: Sequence[str] | None) -> AttentionMaps:
    if isinstance(value, tuple | list):
        layers = [to_numpy(v) for v in value]
        shapes = {v.shape for v in layers}
        if len(shapes) != 1 or layers[0].ndim != 4 or layers[0].shape[0] != 1:
            raise ValueError(
                "a tuple of attentions must hold one (1, heads, tokens, tokens) array per layer, all alike; "
                f"received shapes {sorted(shapes)}"
            )
        array = np.concatenate(layers)
    else:
        array = to_numpy(value)
    return checked_maps(array, tokens, method="attention")


def _is_pattern_cache(value: Any) -> bool:
    # ActivationCache is a mapping of hook names to tensors; duck-typed so transformer_lens is not needed
    try:
        return hasattr(value, "keys") and PATTERN.format(0) in value
    except Exception:
        return False


def _from_cache(cache: Any, tokens: Sequence[str] | None) -> AttentionMaps:
    patterns = []
    while PATTERN.format(len(patterns)) in cache:
        pattern = to_numpy(cache[PATTERN.format(len(patterns))])
        if pattern.ndim == 4:
            if pattern.shape[0] != 1:
                raise ValueError(
                    f"the cache holds a batch of {pattern.shape[0]}; run_with_cache on one text, or index the "
                    "patterns yourself and pass the array"
                )
            pattern = pattern[0]
        if pattern.ndim != 3:
            raise ValueError(f"{PATTERN.format(len(patterns))} must be (heads, q, k); received shape {pattern.shape}")
        patterns.append(pattern)
    norms, products = _cache_value_norms(cache, len(patterns))
    return checked_maps(np.stack(patterns), tokens, method="attention", value_norms=norms, value_products=products)


def _cache_value_norms(cache: Any, n_layers: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """From ``blocks.{l}.attn.hook_v`` (value vectors, bias included) and the cache's model's ``W_O``, if both."""
    blocks = getattr(getattr(cache, "model", None), "blocks", None)
    if blocks is None or any(f"blocks.{layer}.attn.hook_v" not in cache for layer in range(n_layers)):
        return None, None
    transformed = []
    for layer in range(n_layers):
        values = to_numpy(cache[f"blocks.{layer}.attn.hook_v"])  # (1, pos, heads, d_head)
        w_out = to_numpy(blocks[layer].attn.W_O)  # (heads, d_head, d_model)
        transformed.append(np.einsum("phd,hde->hpe", values.reshape(values.shape[-3:]), w_out))
    return norms_and_products(transformed)
