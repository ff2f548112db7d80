"""What the text kernels need of a Hugging Face model and its tokenizer: the device its weights are on, whether an
object is a tokenizer, and how many tokens the model reads."""

from __future__ import annotations

from typing import Any

import numpy as np


def model_device(model: Any) -> Any:
    """The device of the model's first parameter (inputs go there), or the CPU for a model without parameters."""
    import torch

    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def looks_like_tokenizer(obj: Any) -> bool:
    """A Hugging Face tokenizer, by what the kernels use of it."""
    return callable(obj) and hasattr(obj, "convert_ids_to_tokens")


def token_limit(model: Any, tokenizer: Any, requested: int | None) -> int | None:
    """The most tokens a text model reads: ``requested``, at most the model's limit (the smaller of its position
    embeddings and the tokenizer's ``model_max_length``); None when neither says."""
    from ._inputs import check_count

    limits = [getattr(model.config, "max_position_embeddings", None), getattr(tokenizer, "model_max_length", None)]
    # a tokenizer without a limit says so with a huge sentinel (int(1e30))
    limits = [int(v) for v in limits if isinstance(v, int | np.integer) and 0 < v < 1_000_000]
    limit = min(limits) if limits else None
    requested = check_count("max_length", requested, minimum=2)
    if requested is not None and limit is not None and requested > limit:
        raise ValueError(f"max_length must be at most the model's limit of {limit} tokens; received {requested}")
    return requested or limit
