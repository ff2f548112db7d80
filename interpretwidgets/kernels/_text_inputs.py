"""The text kernels' checks, cheap and before any model call: the texts, the kind of model, its vocabulary against the
tokenizer's, the target, the baseline, and one trial forward pass."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._borrow import borrowed
from ._hf import model_device
from ._text_common import encode, n_labels, pad_id, padded


def check_texts(texts: Any) -> tuple[str, ...]:
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, Sequence | np.ndarray):
        raise TypeError(f"texts must be a str or a list of str; received {type(texts).__name__}")
    texts = list(texts)
    if not texts:
        raise ValueError("texts must hold at least one text; received an empty list")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts must all be str; texts[{i}] is {type(text).__name__}")
        if not text.strip():
            raise ValueError(f"texts must not be empty; texts[{i}] is {text!r}")
    return tuple(texts)


def model_kind(model: Any) -> str:
    from ._models import is_torch_module

    if not is_torch_module(model) or not callable(getattr(model, "get_input_embeddings", None)):
        raise TypeError(
            "model must be a Hugging Face transformers model (a torch.nn.Module with get_input_embeddings): a "
            f"sequence classifier or a causal language model; received {type(model).__name__}"
        )
    can_generate = getattr(model, "can_generate", None)
    if callable(can_generate) and can_generate():
        return "causal_lm"
    if getattr(getattr(model, "config", None), "num_labels", None) is None:
        raise TypeError(
            f"model must be a sequence classifier (with config.num_labels) or a causal language model; "
            f"received {type(model).__name__}"
        )
    return "classifier"


def _embedding_rows(model: Any) -> int:
    return int(model.get_input_embeddings().weight.shape[0])


def check_vocabulary(model: Any, tokenizer: Any) -> None:
    if not callable(tokenizer) or not hasattr(tokenizer, "convert_ids_to_tokens"):
        raise TypeError(f"tokenizer must be a Hugging Face tokenizer; received {type(tokenizer).__name__}")
    size, rows = len(tokenizer), _embedding_rows(model)
    if size > rows:
        raise ValueError(
            f"the tokenizer's vocabulary ({size} tokens) does not fit the model's input embeddings ({rows} rows): "
            "token ids would index past them. Use the tokenizer the model was trained with"
        )


def resolve_target(model: Any, tokenizer: Any, kind: str, target: Any) -> int | None:
    """A class index (classifier) or token id (language model); ``None`` keeps the default."""
    if target is None:
        return None
    if kind == "classifier":
        labels = [str(model.config.id2label.get(i, i)) for i in range(n_labels(model))]
        if isinstance(target, str) and target in labels:
            return labels.index(target)
        if isinstance(target, int | np.integer) and not isinstance(target, bool) and 0 <= target < len(labels):
            return int(target)
        raise ValueError(
            f"target must be a class index in 0..{len(labels) - 1} or one of the labels {labels}; received {target!r}"
        )
    rows = int(getattr(model.config, "vocab_size", None) or _embedding_rows(model))
    if isinstance(target, str):
        return _token_id(tokenizer, target)
    if isinstance(target, int | np.integer) and not isinstance(target, bool) and 0 <= target < rows:
        return int(target)
    raise ValueError(f"target must be a next-token id in 0..{rows - 1}, a token string or None; received {target!r}")


def _token_id(tokenizer: Any, token: str) -> int:
    """A token string of the vocabulary, or a text the tokenizer makes into exactly one token."""
    vocabulary = tokenizer.get_vocab()
    if token in vocabulary:
        return int(vocabulary[token])
    ids = tokenizer(token, add_special_tokens=False)["input_ids"]
    if len(ids) != 1:
        raise ValueError(
            f"target must be one token; {token!r} is not in the vocabulary and the tokenizer makes it "
            f"{len(ids)} tokens {tokenizer.convert_ids_to_tokens(ids)}"
        )
    return int(ids[0])


def warn_truncated(tokenizer: Any, texts: tuple[str, ...], limit: int | None) -> None:
    if limit is None:
        return
    counts = [len(ids) for ids in tokenizer(list(texts), verbose=False)["input_ids"]]
    long = [(i, n) for i, n in enumerate(counts) if n > limit]
    if long:
        listed = ", ".join(f"text {i}: {n} tokens" for i, n in long[:5]) + (", ..." if len(long) > 5 else "")
        warnings.warn(
            f"{len(long)} text(s) are longer than the {limit} tokens explained ({listed}); each is truncated to its "
            f"first {limit} tokens",
            stacklevel=3,
        )


def check_runs(model: Any, tokenizer: Any, kind: str, text: str, limit: int | None) -> None:
    """One forward pass on the first text: the model must give ``.logits`` of the shape its kind explains."""
    import torch

    with borrowed(model), torch.no_grad():
        model.eval()
        try:
            ids, mask = padded([encode(tokenizer, text, limit).ids], pad_id(tokenizer), model_device(model))
            output = model(input_ids=ids, attention_mask=mask)
        except Exception as exc:
            raise ValueError(
                f"the model could not run on the tokenizer's ids of texts[0]: {type(exc).__name__}: {exc}"
            ) from exc
    logits = getattr(output, "logits", None)
    expected = 2 if kind == "classifier" else 3
    if logits is None or logits.ndim != expected:
        shape = None if logits is None else tuple(logits.shape)
        what = "(n, n_classes) logits of a sequence classifier" if kind == "classifier" else "(n, tokens, vocabulary)"
        raise TypeError(
            f"{type(model).__name__} must return .logits of shape {what}; received .logits of shape {shape}. "
            "explain_text explains sequence classifiers and causal language models"
        )


def check_baseline(tokenizer: Any, method: str, baseline: Any) -> str | int | None:
    if baseline is None:
        return None
    if method == "gradient_x_input":
        raise ValueError(
            "method='gradient_x_input' has no baseline (its reference is all-zero word embeddings); baseline is "
            "used by 'integrated_gradients', 'lime' and 'shap'"
        )
    if method == "integrated_gradients":
        token_id = None
        if isinstance(baseline, str):
            token_id = tokenizer.get_vocab().get(baseline)
        elif isinstance(baseline, int | np.integer) and not isinstance(baseline, bool):
            token_id = int(baseline)
        if token_id is None or not 0 <= token_id < len(tokenizer):
            raise ValueError(
                f"baseline must be a token of the vocabulary (e.g. {tokenizer.pad_token!r}) or its id in "
                f"0..{len(tokenizer) - 1}; received {baseline!r}"
            )
        return int(token_id)
    if not isinstance(baseline, str):
        raise TypeError(f"baseline for method={method!r} must be a str (the mask text); received {baseline!r}")
    return baseline
