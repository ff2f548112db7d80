"""What the honesty checks share: one map per instance, the kind of data an attribution is about, the model column
each explained output is, the explained inputs checked against the attribution, and the model as a batched function.

Everything here is cheap and validates before any model call; torch, transformers and scipy load on first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..data import Attribution

#: a default image output name, ``"class 3"`` (what ``explain_image`` calls the model's fourth output)
_CLASS_NAME = re.compile(r"class (\d+)")


def check_attribution(attribution: Any, name: str = "attribution") -> Attribution:
    if not isinstance(attribution, Attribution):
        raise TypeError(f"{name} must be an interpretwidgets Attribution; received {type(attribution).__name__}")
    return attribution


def output_index(attribution: Attribution, output: Any) -> int:
    """An output given by index or by one of ``output_names``, as an index."""
    if isinstance(output, str):
        if output not in attribution.output_names:
            raise ValueError(f"output {output!r} is not one of the output names {list(attribution.output_names)}")
        return attribution.output_names.index(output)
    from ..data import _checks

    return _checks.check_index("output", output, attribution.n_outputs)


def domain_of(attribution: Attribution) -> str:
    """``"text"`` (per-instance tokens), ``"tabular"`` (one feature axis) or ``"image"`` ((H, W) or (C, H, W))."""
    if attribution.tokens is not None:
        return "text"
    return "tabular" if len(attribution.feature_shape) == 1 else "image"


def instance_map(attribution: Attribution, instance: int, output: int) -> np.ndarray:
    """One instance's attribution for one output as the honesty checks compare it, flattened: the features, the
    tokens without the padding after them, or one value per pixel (summed over the colour channels: captum's
    convention, and the sum keeps completeness; Grad-CAM's and LIME's (H, W) maps as they are)."""
    attribution.check_index(instance, output)
    values = attribution.values[instance, ..., output]
    if attribution.token_counts is not None:
        return values[: int(attribution.token_counts[instance])]
    if values.ndim == 3:
        values = values.sum(axis=0)
    return values.ravel()


def check_instances(instances: Any, n: int) -> list[int]:
    """``None`` (every instance) or a sequence of instance indices."""
    from ..data import _checks

    if instances is None:
        return list(range(n))
    if isinstance(instances, int | np.integer) and not isinstance(instances, bool):
        instances = [instances]
    if isinstance(instances, str) or not isinstance(instances, Sequence | np.ndarray):
        raise TypeError(f"instances must be None, an int or a sequence of ints; received {type(instances).__name__}")
    picked = [_checks.check_index("instance", i, n) for i in instances]
    if not picked:
        raise ValueError("instances must name at least one instance; received an empty sequence")
    return picked


def check_seed(random_state: Any) -> int | None:
    from ._inputs import check_count

    return check_count("random_state", random_state, minimum=0)


# -- the explained inputs ------------------------------------------------------------------------------------------


def image_inputs(model: Any, inputs: Any, attribution: Attribution | None = None) -> np.ndarray:
    """Images (n, C, H, W) as ``explain_image`` reads them, checked against the attribution's instances and size."""
    from ._image_inputs import expected_channels, image_batch

    images = image_batch(inputs, expected_channels(model), "inputs")
    if attribution is not None:
        spatial = attribution.feature_shape[-2:]
        if len(images) != attribution.n_instances or images.shape[2:] != spatial:
            raise ValueError(
                f"inputs must be the {attribution.n_instances} explained images of {spatial[0]}×{spatial[1]} pixels; "
                f"received shape {images.shape}"
            )
        if len(attribution.feature_shape) == 3 and images.shape[1] != attribution.feature_shape[0]:
            raise ValueError(
                f"inputs must have the attribution's {attribution.feature_shape[0]} channels; "
                f"received {images.shape[1]}"
            )
    return images


def tabular_inputs(inputs: Any, attribution: Attribution | None = None) -> np.ndarray:
    from ._inputs import tabular_matrix

    matrix, _ = tabular_matrix(inputs, None)
    if attribution is not None and matrix.shape != (attribution.n_instances, attribution.n_features):
        raise ValueError(
            f"inputs must be the explained rows, shape ({attribution.n_instances}, {attribution.n_features}); "
            f"received {matrix.shape}"
        )
    return matrix


def text_ids(attribution: Attribution) -> list[np.ndarray]:
    """Each text's token ids, from ``attribution.data`` (``explain_text`` keeps them there)."""
    if attribution.data is None or attribution.token_counts is None:
        raise ValueError(
            "this text attribution has no token ids in data (explain_text drops them with merge_subwords=True); "
            "explain the texts without merge_subwords to check them token by token"
        )
    return [attribution.data[i, :count].astype(np.int64) for i, count in enumerate(attribution.token_counts)]


# -- the model ----------------------------------------------------------------------------------------------------


def torch_forward(model: Any) -> Any:
    """The model as a module with (n, n_outputs) output (``.logits`` taken from Hugging Face outputs)."""
    from .gradients import scores

    return scores(model)


def as_tensor(model: Any, array: np.ndarray) -> Any:
    """``array`` as a tensor of the model's dtype on its device."""
    import torch

    from ._hf import model_device

    parameter = next(model.parameters(), None)
    dtype = parameter.dtype if parameter is not None else torch.float32
    array = np.ascontiguousarray(array)
    if not array.flags.writeable:  # a broadcast baseline: torch warns on read-only memory
        array = array.copy()
    return torch.as_tensor(array, dtype=dtype, device=model_device(model))


def tabular_predict(model: Any, output_space: str | None) -> Callable[[np.ndarray], np.ndarray]:
    """Rows (b, F) → model outputs (b, n_outputs) as float64, in the attribution's output space."""
    from ._models import prediction_function

    predict, _ = prediction_function(model, output_space or None)
    return predict


def torch_predict(model: Any) -> Callable[[Any], np.ndarray]:
    """Input tensors (rows or images) → model outputs (b, n_outputs) as float64, in batches, without gradients."""
    from . import gradients

    forward = torch_forward(model)
    return lambda x: gradients.predict(forward, x)


def text_scorer(model: Any, tokenizer: Any, columns: Sequence[int]) -> Any:
    """The ``explain_text`` scorer of the given logit columns (class logits, or next-token logits at the last
    position of a causal language model)."""
    from ._hf import model_device, token_limit
    from ._text_common import Scorer
    from ._text_inputs import check_vocabulary, model_kind

    kind = model_kind(model)
    check_vocabulary(model, tokenizer)
    return Scorer(model, tokenizer, kind, tuple(int(c) for c in columns), token_limit(model, tokenizer, None),
                  model_device(model))  # fmt: skip


# -- which model output each explained output is -----------------------------------------------------------------


def explained_columns(
    attribution: Attribution, n_model_outputs: int, target: Any, model: Any = None, tokenizer: Any = None
) -> list[int]:
    """The model's output column for each of the attribution's outputs.

    ``target`` (an int, or one int per output) says it outright. Otherwise the output names are read as the kernels
    name them — ``"class i"`` for ``explain_image``, a label of ``config.id2label`` or a vocabulary token for
    ``explain_text`` — and, failing that, outputs are the model's own when there are as many of them.
    """
    k = attribution.n_outputs
    if target is not None:
        items = [target] if isinstance(target, int | np.integer) else list(target) if _is_sequence(target) else None
        if items is None or any(isinstance(t, bool) or not isinstance(t, int | np.integer) for t in items):
            raise TypeError(f"target must be a model output index or one per explained output; received {target!r}")
        if len(items) != k:
            raise ValueError(f"target must give one model output per explained output ({k}); received {len(items)}")
        bad = [int(t) for t in items if not 0 <= t < n_model_outputs]
        if bad:
            raise ValueError(f"target must be in 0..{n_model_outputs - 1} (the model's outputs); received {bad}")
        return [int(t) for t in items]
    by_name = [_column_by_name(name, n_model_outputs, model, tokenizer) for name in attribution.output_names]
    if all(c is not None for c in by_name):
        return [int(c) for c in by_name]  # type: ignore[arg-type]
    if n_model_outputs == k:
        return list(range(k))
    raise ValueError(
        f"the attribution explains {k} output(s) {list(attribution.output_names)} of a model with {n_model_outputs}; "
        "pass target= with the model's output index for each of them"
    )


def output_column(
    attribution: Attribution, output: int, n_model_outputs: int, target: Any, model: Any = None, tokenizer: Any = None
) -> int:
    """The model's output column of the attribution's output ``output``: ``target`` when given, else found from its
    name as :func:`explained_columns` does, else ``output`` itself when the model has as many outputs."""
    if target is not None:
        if isinstance(target, bool) or not isinstance(target, int | np.integer):
            raise TypeError(f"target must be the model's output index (an int); received {target!r}")
        if not 0 <= target < n_model_outputs:
            raise ValueError(f"target must be in 0..{n_model_outputs - 1} (the model's outputs); received {target}")
        return int(target)
    found = _column_by_name(attribution.output_names[output], n_model_outputs, model, tokenizer)
    if found is not None:
        return found
    if n_model_outputs == attribution.n_outputs:
        return output
    raise ValueError(
        f"the attribution's output {attribution.output_names[output]!r} is one of {attribution.n_outputs} explained "
        f"outputs of a model with {n_model_outputs}; pass target= with the model's output index"
    )


def explain_arity(explain: Callable[..., Any]) -> int:
    """How many positional arguments ``explain`` takes: 1 for ``explain(model)``, else 2 (``explain(model,
    inputs)``); a callable whose signature cannot be read is taken to take both."""
    import inspect

    try:
        parameters = list(inspect.signature(explain).parameters.values())
    except (TypeError, ValueError):
        return 2
    if any(p.kind == p.VAR_POSITIONAL for p in parameters):
        return 2
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return 1 if len(positional) == 1 else 2


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence | np.ndarray) and not isinstance(value, str)


def _column_by_name(name: str, n_outputs: int, model: Any, tokenizer: Any) -> int | None:
    match = _CLASS_NAME.fullmatch(name)
    if match and int(match.group(1)) < n_outputs:
        return int(match.group(1))
    labels = getattr(getattr(model, "config", None), "id2label", None)
    if tokenizer is not None and isinstance(labels, dict) and n_outputs == len(labels):
        for index, label in labels.items():
            if str(label) == name:
                return int(index)
    if tokenizer is not None and name in tokenizer.get_vocab():
        column = int(tokenizer.get_vocab()[name])
        return column if column < n_outputs else None
    return None


def text_columns(
    model: Any, tokenizer: Any, attribution: Attribution, target: Any, output: int | None = None
) -> np.ndarray:
    """For each explained text, the logit column of each explained output, shape (n_texts, n_outputs), or of
    ``output`` only, shape (n_texts,). A causal language model explained with its default target (each text's own
    most likely next token) gets that token, found again from the token ids."""
    import torch

    from ._hf import model_device
    from ._text_common import n_labels, pad_id, padded
    from ._text_inputs import model_kind

    kind = model_kind(model)
    n = attribution.n_instances
    own_token = attribution.output_names[0].startswith("most likely next token")
    if kind == "causal_lm" and target is None and own_token:
        own = []
        for ids in text_ids(attribution):
            batch, mask = padded([ids.tolist()], pad_id(tokenizer), model_device(model))
            with torch.no_grad():
                own.append(int(model(input_ids=batch, attention_mask=mask).logits[0, -1].argmax()))
        return np.array(own) if output is not None else np.array(own)[:, None]
    n_model = n_labels(model) if kind == "classifier" else int(model.get_input_embeddings().weight.shape[0])
    if output is not None:
        return np.full(n, output_column(attribution, output, n_model, target, model, tokenizer))
    return np.tile(explained_columns(attribution, n_model, target, model, tokenizer), (n, 1))
