"""The units of deletion and insertion curves, per domain: what a unit is (a feature, a token, a pixel, a
superpixel), how important the attribution finds each, and how a mask of present units becomes a model input and
its output. The curves themselves (``_honesty_curves``) know none of this.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Attribution
from ._honesty_common import (
    as_tensor,
    image_inputs,
    instance_map,
    output_column,
    tabular_inputs,
    tabular_predict,
    text_columns,
    text_ids,
    text_scorer,
    torch_predict,
)
from ._models import is_torch_module

#: rows per tabular model call (text and images: the kernels' own batch sizes)
TABULAR_ROWS = 4096

Evaluate = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Units:
    """One instance as a flat axis of units: each one's importance and the model output for masks of them."""

    scores: np.ndarray
    #: (b, m) bool, True where the unit shows the input, False where it shows the baseline → outputs (b,)
    evaluate: Evaluate


#: (unit name, what a removed unit shows, masks per model call, instance → its Units)
Setup = tuple[str, str, int, Callable[[int], Units]]


def tabular_units(
    model: Any, inputs: Any, attribution: Attribution, output: int, baseline: Any, background: Any, target: Any
) -> Setup:
    from ..data import _checks

    X = tabular_inputs(inputs, attribution)
    predict = tabular_predict(model, attribution.output_space)
    column = output_column(attribution, output, predict(X[:1]).shape[1], target)
    n, f = X.shape
    if baseline is None:
        reference = X if background is None else tabular_inputs(background)
        if reference.shape[1] != f:
            raise ValueError(f"background must have {f} columns like the inputs; received {reference.shape[1]}")
        rows = np.broadcast_to(reference.mean(axis=0), (n, f))
        described = f"the mean of the {len(reference)} {'background' if background is not None else 'explained'} rows"
    else:
        base = _checks.finite_float_array("baseline", baseline)
        if base.shape not in ((f,), (n, f)):
            raise ValueError(f"baseline must be one row ({f},) or one per instance ({n}, {f}); received {base.shape}")
        rows, described = np.broadcast_to(base, (n, f)), "the given baseline row"

    def build(i: int) -> Units:
        x, b = X[i], rows[i]
        return Units(attribution.values[i, :, output], lambda mask: predict(np.where(mask, x, b))[:, column])

    return "feature", described, TABULAR_ROWS, build


def image_units(
    model: Any,
    inputs: Any,
    attribution: Attribution,
    output: int,
    baseline: Any,
    background: Any,
    target: Any,
    seed: int | None,
) -> Setup:
    import torch

    from ._baselines import baseline_images, check_baseline
    from ._image_inputs import expected_channels, image_batch, same_size
    from .gradients import batch_rows

    if not is_torch_module(model):
        raise TypeError(f"image curves need the torch.nn.Module that was explained; received {type(model).__name__}")
    images = image_inputs(model, inputs, attribution)
    reference = None
    if background is not None:
        reference = image_batch(background, expected_channels(model), "background")
        same_size(reference, images)
    checked = check_baseline("zeros" if baseline is None else baseline, reference, images.shape[1:])
    bases = baseline_images(checked, images, reference, seed)
    x = as_tensor(model, images)
    predict = torch_predict(model)
    column = output_column(attribution, output, predict(x[:1]).shape[1], target)
    height, width = images.shape[2:]

    def build(i: int) -> Units:
        xi, bi = x[i], as_tensor(model, bases.images[i])
        pixel_of = None
        if attribution.segments is None:
            scores = instance_map(attribution, i, output)
        else:  # a superpixel is one unit: its value is in each of its pixels
            _, first, inverse = np.unique(attribution.segments[i].ravel(), return_index=True, return_inverse=True)
            scores = attribution.values[i, ..., output].ravel()[first]
            pixel_of = torch.as_tensor(inverse.reshape(-1), device=x.device)

        def evaluate(mask: np.ndarray) -> np.ndarray:
            shown = torch.as_tensor(mask, dtype=x.dtype, device=x.device)
            if pixel_of is not None:
                shown = shown[:, pixel_of]
            shown = shown.view(len(mask), 1, height, width)
            return predict(bi + shown * (xi - bi))[:, column]

        return Units(scores, evaluate)

    unit = "pixel" if attribution.segments is None else "superpixel"
    return unit, bases.described, batch_rows(x, no_grad=True), build


def text_units(
    model: Any, inputs: Any, attribution: Attribution, output: int, baseline: Any, tokenizer: Any, target: Any
) -> Setup:
    import torch

    from ._text_common import BATCH_TEXTS
    from ._text_inputs import check_texts

    if tokenizer is None:
        raise TypeError("text curves need the model's tokenizer: pass tokenizer=")
    if inputs is not None and len(check_texts(inputs)) != attribution.n_instances:
        raise ValueError(f"inputs must be the {attribution.n_instances} explained texts")
    ids = text_ids(attribution)
    scorer = text_scorer(model, tokenizer, [])
    columns = text_columns(model, tokenizer, attribution, target, output)
    added = {getattr(tokenizer, f"{t}_token_id", None) for t in ("cls", "sep", "bos", "eos", "pad")}
    added = added - {None, tokenizer.unk_token_id}  # an [UNK] stands for a word of the text
    replacements, described = _replacements(tokenizer, baseline, ids)

    def build(i: int) -> Units:
        row = ids[i]
        positions = np.array([p for p, token in enumerate(row) if int(token) not in added], dtype=int)
        if not len(positions):
            raise ValueError(f"text {i} has no tokens but the ones the tokenizer adds")
        one = dataclasses.replace(scorer, columns=(int(columns[i]),))
        kept, replaced = row[positions], replacements[i][positions]

        def evaluate(mask: np.ndarray) -> np.ndarray:
            batch = np.tile(row, (len(mask), 1))
            batch[:, positions] = np.where(mask, kept, replaced)
            tensor = torch.as_tensor(batch, device=one.device)
            with torch.no_grad():
                return one(tensor, torch.ones_like(tensor))[:, 0].double().cpu().numpy()

        return Units(attribution.values[i, positions, output], evaluate)

    return "token", described, BATCH_TEXTS, build


def _replacements(tokenizer: Any, baseline: Any, ids: list[np.ndarray]) -> tuple[list[np.ndarray], str]:
    """The id each position of each text takes when removed."""
    size = len(tokenizer)
    if baseline is None:
        for name in ("mask", "pad", "unk"):
            token_id = getattr(tokenizer, f"{name}_token_id", None)
            if token_id is not None:
                baseline = int(token_id)
                break
        else:
            raise ValueError("the tokenizer has no mask, pad or unknown token: pass baseline=<a token id>")
    if isinstance(baseline, str):
        if baseline not in tokenizer.get_vocab():
            raise ValueError(f"baseline must be a token of the vocabulary or its id; received {baseline!r}")
        baseline = int(tokenizer.get_vocab()[baseline])
    if isinstance(baseline, int | np.integer) and not isinstance(baseline, bool):
        if not 0 <= baseline < size:
            raise ValueError(f"baseline must be a token id in 0..{size - 1}; received {baseline}")
        token = tokenizer.convert_ids_to_tokens(int(baseline))
        return [np.full(len(row), int(baseline)) for row in ids], f"the token {token!r}"
    rows = [np.asarray(r) for r in baseline] if isinstance(baseline, Sequence) else None
    if rows is None or len(rows) != len(ids) or any(r.shape != i.shape or r.dtype.kind not in "iu" for r, i in
                                                    zip(rows, ids, strict=True)):  # fmt: skip
        raise ValueError(
            "baseline must be a token id or token, or one id sequence per text of the text's length "
            f"({[len(i) for i in ids]})"
        )
    if any(((r < 0) | (r >= size)).any() for r in rows):
        raise ValueError(f"baseline ids must be in 0..{size - 1}")
    return [r.astype(np.int64) for r in rows], "the given token ids"
