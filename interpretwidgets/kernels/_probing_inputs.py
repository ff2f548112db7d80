"""The checks ``probe`` makes before any forward pass: options, inputs (tensors or texts), labels, control types."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from ._probing_capture import POOLS, TensorInputs, TextInputs


def check_model(model: Any) -> None:
    from ._models import is_torch_module

    if not is_torch_module(model):
        raise TypeError(f"model must be a torch.nn.Module; received {type(model).__name__}")


def check_options(pool: Any, batch_size: Any) -> None:
    from ._inputs import check_count

    if pool not in POOLS:
        raise ValueError(f"pool must be one of {', '.join(map(repr, POOLS))}; received {pool!r}")
    if check_count("batch_size", batch_size) is None:
        raise TypeError("batch_size must be an int of at least 1; received None")


def check_probe_options(cv: Any, control: Any, random_state: Any) -> None:
    from ._inputs import check_count

    if check_count("cv", cv, minimum=2) is None:
        raise TypeError("cv must be an int of at least 2; received None")
    if not isinstance(control, bool | np.bool_):
        raise TypeError(f"control must be True or False; received {type(control).__name__}")
    if random_state is not None and (isinstance(random_state, bool) or not isinstance(random_state, int | np.integer)):
        raise TypeError(f"random_state must be an int or None; received {type(random_state).__name__}")


def inputs_of(model: Any, inputs: Any, tokenizer: Any) -> tuple[TensorInputs | None, tuple[str, ...] | None, int]:
    """A tensor source, or the checked texts (tokenized later, once the cheaper checks have passed), and their
    number."""
    texts = texts_of(inputs, tokenizer)
    if texts is not None:
        return None, texts, len(texts)
    tensors = TensorInputs(model, inputs)
    return tensors, None, tensors.n


def texts_of(inputs: Any, tokenizer: Any) -> tuple[str, ...] | None:
    """The texts when a tokenizer is given (checked), else None; texts without a tokenizer are an error."""
    from ._hf import looks_like_tokenizer

    if tokenizer is None:
        if isinstance(inputs, str) or (isinstance(inputs, Sequence) and inputs and isinstance(inputs[0], str)):
            raise TypeError("inputs are texts: pass tokenizer= (the model's Hugging Face tokenizer) to probe them")
        return None
    if not looks_like_tokenizer(tokenizer):
        raise TypeError(f"tokenizer must be a Hugging Face tokenizer; received {type(tokenizer).__name__}")
    if isinstance(inputs, str):
        raise TypeError("inputs must be a list of texts to probe; received a single str")
    if callable(getattr(inputs, "tolist", None)) and not isinstance(inputs, np.ndarray):
        inputs = inputs.tolist()  # a pandas column of texts
    from ._text_inputs import check_texts

    return check_texts(inputs)


def text_source(model: Any, tokenizer: Any, texts: tuple[str, ...], max_length: int | None, pool: str) -> TextInputs:
    """The texts tokenized (cheap, before any forward pass) and checked against the model and the pooling."""
    from ._text_inputs import check_vocabulary

    if callable(getattr(model, "get_input_embeddings", None)):
        check_vocabulary(model, tokenizer)
    source = TextInputs(model, tokenizer, texts, max_length)
    lengths = source.lengths()
    if pool == "none" and len(set(lengths)) > 1:
        raise ValueError(
            f"pool='none' keeps every token, so all texts must have the same number of tokens; these have "
            f"{min(lengths)} to {max(lengths)}. Use pool='mean' or 'cls'"
        )
    return source


def check_labels(labels: Any, n: int, cv: int) -> tuple[np.ndarray, list]:
    """Class indices 0..k-1 for each input and the classes; checked against the inputs and the folds."""
    if isinstance(labels, str):
        raise TypeError("labels must be one label per input (a list or array); received a single str")
    values = np.asarray(labels)
    if values.ndim != 1:
        raise ValueError(f"labels must be 1-D, one label per input; received shape {values.shape}")
    if len(values) != n:
        raise ValueError(f"labels must have one entry per input: {n} inputs, {len(values)} labels")
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            raise ValueError("labels must not hold NaN or infinity")
        if not np.equal(np.round(values), values).all():
            raise ValueError("labels look continuous (non-integer floats); probes classify: pass class labels")
    try:
        classes, y = np.unique(values, return_inverse=True)
    except TypeError as exc:
        raise TypeError(f"labels must be comparable values of one kind (str or int); {exc}") from None
    names = classes.tolist()  # plain Python values: messages and results read 'a', not np.str_('a')
    if len(classes) < 2:
        raise ValueError(f"labels must hold at least two classes to probe; all {n} are {names[0]!r}")
    counts = np.bincount(y)
    if counts.min() < cv:
        rare = ", ".join(f"{names[i]!r}: {counts[i]}" for i in np.flatnonzero(counts < cv)[:5])
        raise ValueError(f"{cv}-fold cross-validation needs at least {cv} inputs of each class; too few for {rare} "
                         "(add inputs or lower cv)")  # fmt: skip
    return y.astype(np.intp), names


def check_control_types(control_types: Sequence[Hashable] | None, n: int) -> list[Hashable] | None:
    if control_types is None:
        return None
    if isinstance(control_types, str):
        raise TypeError("control_types must hold one type per input; received a single str")
    types = list(control_types)
    if len(types) != n:
        raise ValueError(f"control_types must have one entry per input: {n} inputs, {len(types)} types")
    for i, t in enumerate(types):
        if not isinstance(t, Hashable):
            raise TypeError(f"control_types must be hashable (str, int, tuple); control_types[{i}] is "
                            f"{type(t).__name__}")  # fmt: skip
    return types
