"""Completeness: does an attribution add up to the prediction it explains?

Additive methods (SHAP, integrated gradients, DeepLift) promise Σ attributions = f(x) − f(baseline); the gap says how
far a given attribution misses, in the output's own units and relative to what there was to explain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Attribution
from ._honesty_common import (
    as_tensor,
    check_attribution,
    domain_of,
    explained_columns,
    image_inputs,
    tabular_inputs,
    tabular_predict,
    text_columns,
    text_ids,
    text_scorer,
    torch_predict,
)
from ._models import is_torch_module


@dataclass(frozen=True)
class CompletenessGap:
    """How far each explanation is from adding up to its model output.

    Attributes
    ----------
    gap : numpy.ndarray, shape (n_instances, n_outputs)
        Σ values + base − f(x), in the output's units (0 for an exactly complete method).
    relative : numpy.ndarray, shape (n_instances, n_outputs)
        |gap| / |f(x) − base|: the share of what there was to explain that the attribution misses (NaN where
        f(x) equals the base value, so there was nothing to explain).
    totals : numpy.ndarray, shape (n_instances, n_outputs)
        Σ values (each superpixel counted once).
    outputs : numpy.ndarray, shape (n_instances, n_outputs)
        f(x), the model outputs the attribution explains.
    """

    gap: np.ndarray
    relative: np.ndarray
    totals: np.ndarray
    outputs: np.ndarray


def completeness_gap(attribution: Attribution, outputs: Any) -> CompletenessGap:
    """The completeness gap Σ values + base − f(x) of every instance and output.

    Superpixel attributions (``attribution.segments``, e.g. LIME image) hold each segment's weight in every one of
    its pixels: each segment is summed once (:meth:`Attribution.segment_values`), not once per pixel. Text padding
    is zero and adds nothing. For methods that are not additive (saliency, Grad-CAM, occlusion: their base value
    is f(x) itself), the gap is just Σ values and says only that they are not additive.

    Parameters
    ----------
    attribution : Attribution
        The explanation to check.
    outputs : array_like, shape (n_instances, n_outputs) or (n_instances,) for a single output
        The model outputs the attribution explains, in its output space (:func:`model_outputs` computes them).

    Returns
    -------
    CompletenessGap

    Raises
    ------
    TypeError
        Not an Attribution, or non-numeric outputs.
    ValueError
        Outputs of another shape than (n_instances, n_outputs), or NaN/inf.
    """
    from ..data import _checks

    check_attribution(attribution)
    n, k = attribution.n_instances, attribution.n_outputs
    f = _checks.finite_float_array("outputs", outputs)
    if f.shape == (n,) and k == 1:
        f = f[:, None]
    if f.shape != (n, k):
        raise ValueError(f"outputs must have shape (n_instances, n_outputs) = ({n}, {k}); received {f.shape}")
    totals = _totals(attribution)
    gap = totals + attribution.base_values - f
    explained = np.abs(f - attribution.base_values)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(explained > 0, np.abs(gap) / explained, np.nan)
    return CompletenessGap(gap=gap, relative=relative, totals=totals, outputs=f)


def _totals(attribution: Attribution) -> np.ndarray:
    if attribution.segments is None:
        return attribution.values.reshape(attribution.n_instances, -1, attribution.n_outputs).sum(axis=1)
    totals = np.empty((attribution.n_instances, attribution.n_outputs))
    for i in range(attribution.n_instances):
        _, first = np.unique(attribution.segments[i], return_index=True)  # one pixel of each segment
        totals[i] = attribution.values[i].reshape(-1, attribution.n_outputs)[first].sum(axis=0)
    return totals


def model_outputs(
    model: Any, inputs: Any, attribution: Attribution | None = None, *, tokenizer: Any = None, target: Any = None
) -> np.ndarray:
    """f(x): the model's outputs for ``inputs``, as the kernels explain them.

    Torch models run in eval mode without gradients (borrowed: given back as lent); images go in as
    ``explain_image`` reads them; texts as ``explain_text`` tokenizes them (logits of a classifier, next-token
    logits at the last position of a causal language model); other models through ``predict_proba`` /
    ``predict`` in the attribution's output space.

    Parameters
    ----------
    model : fitted estimator, torch.nn.Module, Hugging Face model or callable
        The explained model.
    inputs : array_like, torch.Tensor or list of str
        The explained rows, images or texts.
    attribution : Attribution, optional
        When given, the outputs it explains, in its order: shape (n_instances, n_outputs), ready for
        :func:`completeness_gap`. Its output names find the model's columns (``"class 3"``, a label, a token);
        ``target`` overrides them. Without it: every model output (or ``target``'s).
    tokenizer : transformers tokenizer, optional
        For text models: the model's tokenizer.
    target : int or sequence of int, optional
        The model's output column for each explained output.

    Returns
    -------
    numpy.ndarray, shape (n, n_outputs)

    Raises
    ------
    TypeError, ValueError
        Inputs that do not fit the model or the attribution, or outputs the attribution's names cannot be matched
        to (then pass ``target``).
    """
    from ._borrow import borrowed

    if attribution is not None:
        check_attribution(attribution)
    with borrowed(model):
        if is_torch_module(model):
            model.eval()
        if tokenizer is not None or (attribution is not None and domain_of(attribution) == "text"):
            return _text_outputs(model, tokenizer, inputs, attribution, target)
        image = attribution is not None and domain_of(attribution) == "image"
        if is_torch_module(model) and (image or (attribution is None and np.ndim(inputs) >= 3)):
            images = image_inputs(model, inputs, attribution)
            full = torch_predict(model)(as_tensor(model, images))
        else:
            space = attribution.output_space if attribution is not None else None
            full = tabular_predict(model, space)(tabular_inputs(inputs, attribution))
    if attribution is None:
        return full if target is None else full[:, _columns(target, full.shape[1])]
    return full[:, explained_columns(attribution, full.shape[1], target, model, tokenizer)]


def _columns(target: Any, n_outputs: int) -> list[int]:
    if isinstance(target, int | np.integer):
        items = [target]
    elif isinstance(target, list | tuple | np.ndarray):
        items = list(np.ravel(target))
    else:
        raise TypeError(f"target must be a model output index or a sequence of them; received {target!r}")
    if any(isinstance(t, bool) or not isinstance(t, int | np.integer) or not 0 <= t < n_outputs for t in items):
        raise ValueError(f"target must be model output indices in 0..{n_outputs - 1}; received {target!r}")
    return [int(t) for t in items]


def _text_outputs(model: Any, tokenizer: Any, texts: Any, attribution: Attribution | None, target: Any) -> np.ndarray:
    import torch

    from ._hf import model_device
    from ._text_common import pad_id, padded
    from ._text_inputs import check_texts, model_kind

    if tokenizer is None:
        raise TypeError("the outputs of a text model need its tokenizer: pass tokenizer=")
    kind = model_kind(model)
    checked = check_texts(texts)
    if attribution is not None:
        if len(checked) != attribution.n_instances:
            raise ValueError(f"inputs must be the {attribution.n_instances} explained texts; received {len(checked)}")
        columns = text_columns(model, tokenizer, attribution, target)
        device = model_device(model)
        rows = []
        for ids, wanted in zip(text_ids(attribution), columns, strict=True):
            batch, mask = padded([ids.tolist()], pad_id(tokenizer), device)
            with torch.no_grad():
                logits = model(input_ids=batch, attention_mask=mask).logits
            rows.append((logits[0, -1] if kind == "causal_lm" else logits[0])[list(wanted)].double().cpu().numpy())
        return np.stack(rows)
    if kind == "causal_lm" and target is None:
        raise ValueError("a causal language model has one output per vocabulary token: pass target= (token ids)")
    n_outputs = (
        int(model.config.num_labels) if kind == "classifier" else int(model.get_input_embeddings().num_embeddings)
    )
    columns = list(range(n_outputs)) if target is None else _columns(target, n_outputs)
    return text_scorer(model, tokenizer, columns).texts(list(checked))
