"""Attention maps from a model: Hugging Face encoders and decoders, any torch model built on
``nn.MultiheadAttention``, a TransformerLens cache, or arrays; with what the maps' methods need from the model.

Extraction is one forward pass, in eval mode and with the eager attention implementation (sdpa and flash kernels
never form the weights), on a borrowed model. It also gathers each token's value norms (for value-weighted attention)
and keeps a closure holding the model, so that gradient-weighted attention is computed on demand.
"""

from __future__ import annotations

import contextlib
import inspect
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.attention import AttentionMaps
from ._borrow import borrowed
from ._models import is_torch_module, token_limit

__all__ = ["attention"]

SUPPORTED = (
    "a Hugging Face transformers model (BERT-like encoders, GPT-2-like decoders) with its tokenizer; a torch model "
    "built on nn.MultiheadAttention with its input tensor; a TransformerLens ActivationCache (blocks.{l}.attn."
    "hook_pattern); or an array / tensor of shape (layers, heads, tokens, tokens), or a tuple of per-layer "
    "(1, heads, tokens, tokens) tensors"
)
PATTERN = "blocks.{}.attn.hook_pattern"
#: a tokenizer's model_max_length above this is transformers' "no limit" sentinel
NO_LIMIT = 10**8


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
    if is_torch_module(model) and _is_transformers_model(model):
        if tokens is not None:
            raise TypeError("tokens= is for models without a tokenizer; a Hugging Face model's come from its tokenizer")
        return _from_transformers(model, tokenizer, text, max_length, target)
    if is_torch_module(model) and _multihead_modules(model):
        if text is None and tokenizer is not None and not _looks_like_tokenizer(tokenizer):
            text, tokenizer = tokenizer, None  # attention(model, inputs, tokens=...)
        if tokenizer is not None or max_length is not None:
            raise TypeError(
                "a torch model built on nn.MultiheadAttention takes its input tensor and tokens=: "
                "attention(model, inputs, tokens=names); tokenizer and max_length apply to Hugging Face models"
            )
        return _from_multihead(model, text, tokens, target)
    raise TypeError(f"unsupported model: expected {SUPPORTED}; received {type(model).__name__}")


# ---------------------------------------------------------------------------------------------------- validation


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


def _check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise TypeError(f"text must be one str; received {type(text).__name__}")
    if not text.strip():
        raise ValueError(f"text must be a non-empty str; received {text!r}")
    return text


def _looks_like_tokenizer(obj: Any) -> bool:
    return callable(obj) and hasattr(obj, "convert_ids_to_tokens")


def _to_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor, on any device, in any float dtype
        return value.detach().cpu().double().numpy()
    return np.asarray(value)


# ------------------------------------------------------------------------------------------ arrays and caches


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
        layers = [_to_numpy(v) for v in value]
        shapes = {v.shape for v in layers}
        if len(shapes) != 1 or layers[0].ndim != 4 or layers[0].shape[0] != 1:
            raise ValueError(
                "a tuple of attentions must hold one (1, heads, tokens, tokens) array per layer, all alike; "
                f"received shapes {sorted(shapes)}"
            )
        array = np.concatenate(layers)
    else:
        array = _to_numpy(value)
    return _maps(array, tokens, method="attention")


def _is_pattern_cache(value: Any) -> bool:
    # ActivationCache is a mapping of hook names to tensors; duck-typed so transformer_lens is not needed
    try:
        return hasattr(value, "keys") and PATTERN.format(0) in value
    except Exception:
        return False


def _from_cache(cache: Any, tokens: Sequence[str] | None) -> AttentionMaps:
    patterns = []
    while PATTERN.format(len(patterns)) in cache:
        pattern = _to_numpy(cache[PATTERN.format(len(patterns))])
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
    return _maps(np.stack(patterns), tokens, method="attention", value_norms=norms, value_products=products)


def _cache_value_norms(cache: Any, n_layers: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """From ``blocks.{l}.attn.hook_v`` (value vectors, bias included) and the cache's model's ``W_O``, if both."""
    blocks = getattr(getattr(cache, "model", None), "blocks", None)
    if blocks is None or any(f"blocks.{layer}.attn.hook_v" not in cache for layer in range(n_layers)):
        return None, None
    transformed = []
    for layer in range(n_layers):
        values = _to_numpy(cache[f"blocks.{layer}.attn.hook_v"])  # (1, pos, heads, d_head)
        w_out = _to_numpy(blocks[layer].attn.W_O)  # (heads, d_head, d_model)
        transformed.append(np.einsum("phd,hde->hpe", values.reshape(values.shape[-3:]), w_out))
    return _norms_and_products(transformed)


# -------------------------------------------------------------------------------------------- Hugging Face


def _is_transformers_model(model: Any) -> bool:
    config = getattr(model, "config", None)
    return config is not None and hasattr(config, "model_type") and hasattr(model, "get_input_embeddings")


def _from_transformers(model: Any, tokenizer: Any, text: Any, max_length: int | None, target: Any) -> AttentionMaps:
    if tokenizer is None or not _looks_like_tokenizer(tokenizer):
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
    norms, products = _norms_and_products(transformed) if len(transformed) == len(attentions) else (None, None)
    if warning:
        warnings.warn(warning, UserWarning, stacklevel=3)
    maps = _maps(attentions, tokens, method=type(model).__name__, special=special.tolist(), warning=warning,
                 value_norms=norms, value_products=products)  # fmt: skip
    maps._gradient_source = _GradientSource(run, target)
    return maps


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
    device = _device(model)
    return {k: torch.as_tensor(v, device=device) for k, v in encoded.items() if k in accepted}


def _device(model: Any) -> Any:
    import torch

    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


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
        return np.concatenate([_to_numpy(a) for a in attentions]), [c() for c in captured]

    def gradients(self, target: Any) -> np.ndarray:
        outputs, attentions, _ = self.forward(grad=True)
        return np.concatenate(_gradients_of(self.model, outputs, attentions, target))


@dataclass
class _GradientSource:
    """``∂target/∂attention`` on demand: what AttentionMaps.gradient_weighted calls."""

    run: Any
    default: Any = None

    def __call__(self, target: Any) -> np.ndarray:
        return self.run.gradients(self.default if target is None else target)


def _gradients_of(model: Any, outputs: Any, attentions: Sequence[Any], target: Any) -> list[np.ndarray]:
    """∂target/∂attention for each layer's weights; zeros for a layer the target does not depend on."""
    import torch

    score = _score(model, outputs, target)
    grads = torch.autograd.grad(score, attentions, allow_unused=True)
    return [np.zeros(tuple(a.shape)) if g is None else _to_numpy(g) for a, g in zip(attentions, grads, strict=True)]


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


# ------------------------------------------------------------------------------------------ value vectors


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
        captured.append(lambda: _transform(v[0], dense.weight.detach(), heads))

    return hook


def _gpt2_hook(captured: list, heads: int, split: int, c_proj: Any) -> Callable:
    def hook(_module: Any, _args: Any, qkv: Any) -> None:
        # Conv1D weight is (in, out), the transpose of nn.Linear's
        v = qkv.detach()
        captured.append(lambda: _transform(v[0, :, 2 * split :], c_proj.weight.detach().T, heads))

    return hook


def _transform(values: Any, w_out: Any, heads: int) -> np.ndarray:
    """``f^h(x_j) = v_j^h W_O^h`` for (tokens, heads·d) values and a (hidden, heads·d) output weight."""
    import torch

    n, width = values.shape
    v = values.double().reshape(n, heads, width // heads)
    w = w_out.double().reshape(w_out.shape[0], heads, width // heads)
    return torch.einsum("jhd,ehd->hje", v, w).cpu().numpy()


def _norms_and_products(transformed: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """value_norms (layers, heads, tokens) and value_products (layers, tokens, heads, heads) from ``f^h(x_j)``."""
    products = np.stack([np.einsum("hje,gje->jhg", f, f) for f in transformed])
    norms = np.stack([np.linalg.norm(f, axis=-1) for f in transformed])
    return norms, products


# -------------------------------------------------------------------------------- nn.MultiheadAttention


def _multihead_modules(model: Any) -> list[Any]:
    import torch

    return [m for m in model.modules() if isinstance(m, torch.nn.MultiheadAttention)]


def _from_multihead(model: Any, inputs: Any, tokens: Sequence[str] | None, target: Any) -> AttentionMaps:
    if inputs is None:
        raise TypeError("a torch model built on nn.MultiheadAttention needs its input: attention(model, inputs, "
                        "tokens=names)")  # fmt: skip
    run = _MultiheadRun(model, inputs)
    weights, transformed = run.extract()
    norms, products = _norms_and_products(transformed)
    maps = _maps(weights, tokens, method=type(model).__name__, value_norms=norms, value_products=products)
    maps._gradient_source = _GradientSource(run, target)
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
                    outputs = _call(model, self.inputs, _device(model))
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
        transformed = [_transform(_values(module, value), module.out_proj.weight.detach(), module.num_heads)
                       for _, module, value in calls]  # fmt: skip
        return np.stack([_to_numpy(w) for w in weights]), transformed

    def gradients(self, target: Any) -> np.ndarray:
        outputs, weights, _ = self.forward(grad=True)
        return np.stack(_gradients_of(self.model, outputs, weights, target))


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
        for module in _multihead_modules(model):
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


# -------------------------------------------------------------------------------------------------- maps


def _maps(attentions: np.ndarray, tokens: Sequence[str] | None, **kwargs: Any) -> AttentionMaps:
    if attentions.ndim != 4:
        raise ValueError(f"attentions must have shape (layers, heads, tokens, tokens); received {attentions.shape}")
    if tokens is not None and not isinstance(tokens, str) and len(tokens) != attentions.shape[-1]:
        raise ValueError(
            f"tokens and attention differ in length: {len(tokens)} tokens, attention over {attentions.shape[-1]}"
        )
    return AttentionMaps(attentions, tokens, **kwargs)  # type: ignore[arg-type]  (None: "token i" names)
