"""Attention from a Hugging Face model: one forward pass with ``output_attentions``, in eager mode, on a borrowed model,
with hooks on the value and output projections of BERT-like and GPT-2-like layers for the value norms."""

from __future__ import annotations

import contextlib
import inspect
import warnings
from collections.abc import Callable, Iterator
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
from ._hf import looks_like_tokenizer, model_device, token_limit
from ._models import to_numpy

#: a tokenizer's model_max_length above this is transformers' "no limit" sentinel
NO_LIMIT = 10**8


def is_transformers_model(model: Any) -> bool:
    config = getattr(model, "config", None)
    return config is not None and hasattr(config, "model_type") and hasattr(model, "get_input_embeddings")


def from_transformers(model: Any, tokenizer: Any, text: Any, max_length: int | None, target: Any) -> AttentionMaps:
    if tokenizer is None or not looks_like_tokenizer(tokenizer):
        raise TypeError(
            "a Hugging Face model needs its tokenizer: attention(model, tokenizer, text); received "
            f"{type(tokenizer).__name__}"
        )
    text = _check_text(text)
    limit = token_limit(model, tokenizer, max_length) or NO_LIMIT
    encoded, warning = _encode(tokenizer, text, limit)
    ids = encoded["input_ids"][0]
    _check_vocabulary(model, tokenizer, ids)
    special = encoded.pop("special_tokens_mask", None)
    special = np.isin(ids, tokenizer.all_special_ids) if special is None else np.asarray(special[0], dtype=bool)
    tokens = [str(t) for t in tokenizer.convert_ids_to_tokens([int(i) for i in ids])]
    inputs = _forward_inputs(model, encoded)
    run = _TransformersRun(model, inputs)
    attentions, transformed = run.extract()
    norms, products = norms_and_products(transformed) if len(transformed) == len(attentions) else (None, None)
    if warning:
        warnings.warn(warning, UserWarning, stacklevel=3)
    maps = checked_maps(attentions, tokens, method=type(model).__name__, special=special.tolist(), warning=warning,
                 value_norms=norms, value_products=products)  # fmt: skip
    maps._gradient_source = GradientSource(run, target)
    return maps


def _check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise TypeError(f"text must be one str; received {type(text).__name__}")
    if not text.strip():
        raise ValueError(f"text must be a non-empty str; received {text!r}")
    return text


def _encode(tokenizer: Any, text: str, limit: int) -> tuple[dict[str, Any], str]:
    full = len(tokenizer(text, verbose=False)["input_ids"])
    encoded = dict(
        tokenizer(text, truncation=True, max_length=limit, return_special_tokens_mask=True, return_tensors="np")
    )
    kept = int(encoded["input_ids"].shape[1])
    warning = f"truncated to {kept} of {full} tokens (the model's limit)" if kept < full else ""
    return encoded, warning


def _check_vocabulary(model: Any, tokenizer: Any, ids: np.ndarray) -> None:
    rows = int(model.get_input_embeddings().weight.shape[0])
    size = len(tokenizer)
    if size > rows or int(ids.max()) >= rows:
        raise ValueError(
            f"the tokenizer does not match the model: the model embeds {rows} token ids, the tokenizer has {size} "
            f"(this text uses ids up to {int(ids.max())}); load the tokenizer that was saved with the model"
        )


def _forward_inputs(model: Any, encoded: dict[str, Any]) -> dict[str, Any]:
    import torch

    accepted = set(inspect.signature(model.forward).parameters)
    if not getattr(model.config, "type_vocab_size", 0):
        accepted.discard("token_type_ids")  # GPT-2 would embed a BERT tokenizer's segment ids as tokens
    device = model_device(model)
    return {k: torch.as_tensor(v, device=device) for k, v in encoded.items() if k in accepted}


@contextlib.contextmanager
def _eager_attention(model: Any) -> Iterator[None]:
    """The eager attention implementation for the block, restored afterwards (also on error)."""
    config = model.config
    current = getattr(config, "_attn_implementation", None)
    if current in (None, "eager"):
        yield
        return
    # every config a submodel uses: set_attn_implementation dispatches to all of them
    configs = [m.config for m in model.modules() if hasattr(getattr(m, "config", None), "_attn_implementation")]
    saved = {id(c): (c, getattr(c, "_attn_implementation_internal", None)) for c in configs}
    error = None
    try:
        model.set_attn_implementation("eager")
    except Exception as exc:  # no such method, or transformers refuses for this model
        error = exc
    try:
        if error is not None or config._attn_implementation != "eager":
            raise ValueError(
                f"{type(model).__name__} uses the {current!r} attention implementation, which never forms the "
                "attention weights, and it could not be switched to 'eager' for this call"
                + (f" ({error})" if error else "")
                + '; load the model with from_pretrained(..., attn_implementation="eager")'
            ) from error
        yield
    finally:
        for sub, internal in saved.values():
            sub._attn_implementation_internal = internal


@dataclass
class _TransformersRun:
    """One forward pass of a Hugging Face model on fixed inputs, with attention weights and value vectors."""

    model: Any
    inputs: dict[str, Any]

    def forward(self, grad: bool) -> tuple[Any, tuple[Any, ...], list[Any]]:
        """(outputs, attentions, value-hook captures); the model borrowed, eager and in eval mode."""
        import torch

        model = self.model
        with borrowed(model), _eager_attention(model), _value_hooks(model) as captured:
            model.eval()
            if grad and not any(p.requires_grad for p in model.parameters()):
                for p in model.parameters():  # a frozen model: the attentions need a graph; borrowed restores
                    p.requires_grad_(True)
            with torch.set_grad_enabled(grad):
                outputs = model(**self.inputs, output_attentions=True)
        attentions = getattr(outputs, "attentions", None)
        if not attentions:
            raise ValueError(f"{type(model).__name__} returned no attentions with output_attentions=True")
        return outputs, tuple(attentions), captured

    def extract(self) -> tuple[np.ndarray, list[np.ndarray]]:
        _, attentions, captured = self.forward(grad=False)
        if attentions[0].shape[0] != 1 or attentions[0].shape[-1] != attentions[0].shape[-2]:
            raise ValueError(f"expected self-attention of one text; received shape {tuple(attentions[0].shape)}")
        return np.concatenate([to_numpy(a) for a in attentions]), [c() for c in captured]

    def gradients(self, target: Any) -> np.ndarray:
        outputs, attentions, _ = self.forward(grad=True)
        return np.concatenate(gradients_of(self.model, outputs, attentions, target))


@contextlib.contextmanager
def _value_hooks(model: Any) -> Iterator[list[Callable[[], np.ndarray]]]:
    """Hooks on each attention layer's value projection; yields a list filled during the forward pass with
    callables giving ``f^h(x_j)``, shape (heads, tokens, hidden). Hooks always removed."""
    captured: list[Callable[[], np.ndarray]] = []
    handles = [module.register_forward_hook(hook) for module, hook in _value_projections(model, captured)]
    try:
        yield captured
    finally:
        for handle in handles:
            handle.remove()


def _value_projections(model: Any, captured: list) -> list[tuple[Any, Callable]]:
    """(module, hook) for every BERT-like (``value`` + ``output.dense``) and GPT-2-like (``c_attn`` + ``c_proj``)
    self-attention; none for other architectures (the maps then have no value norms)."""
    found = []
    for name, module in model.named_modules():
        if _is_linear(getattr(module, "value", None)) and hasattr(module, "num_attention_heads"):
            parent = model.get_submodule(name.rpartition(".")[0]) if "." in name else model
            dense = getattr(getattr(parent, "output", None), "dense", None)
            if _is_linear(dense):
                heads = module.num_attention_heads
                found.append((module.value, _bert_hook(captured, heads, dense)))
        elif hasattr(module, "c_attn") and hasattr(module, "c_proj") and not getattr(module, "is_cross_attention", 0):
            found.append((module.c_attn, _gpt2_hook(captured, module.num_heads, module.split_size, module.c_proj)))
    return found


def _is_linear(module: Any) -> bool:
    return module is not None and type(module).__name__ == "Linear" and hasattr(module, "weight")


def _bert_hook(captured: list, heads: int, dense: Any) -> Callable:
    def hook(_module: Any, _args: Any, values: Any) -> None:
        # nn.Linear weight is (out, in): head h's columns of W_O
        v = values.detach()
        captured.append(lambda: transformed_values(v[0], dense.weight.detach(), heads))

    return hook


def _gpt2_hook(captured: list, heads: int, split: int, c_proj: Any) -> Callable:
    def hook(_module: Any, _args: Any, qkv: Any) -> None:
        # Conv1D weight is (in, out), the transpose of nn.Linear's
        v = qkv.detach()
        captured.append(lambda: transformed_values(v[0, :, 2 * split :], c_proj.weight.detach().T, heads))

    return hook
