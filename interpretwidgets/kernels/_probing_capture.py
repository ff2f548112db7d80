"""Representations of many inputs at chosen layers, pooled as they pass.

A forward hook per layer pools the layer's output at once and copies one ``(batch, features)`` float32 block into a
preallocated ``(n_inputs, features)`` array, so memory holds one batch's activations at a time, never every batch's
(the seed's ProbingClassifier kept them all, and leaked its hook). The hooks are removed when the run ends, however it
ends; the model is borrowed (mode, requires_grad, hooks and grads given back as lent).
"""

from __future__ import annotations

import hashlib
import inspect
import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np

POOLS = ("mean", "cls", "none")


class TensorInputs:
    """A tensor or array batch for a plain torch model, fed in slices of rows."""

    unit = "input"

    def __init__(self, model: Any, inputs: Any) -> None:
        import torch

        if not isinstance(inputs, torch.Tensor):
            array = np.asarray(inputs)
            if array.dtype == object or array.dtype.kind in "USV":
                raise TypeError(
                    f"inputs must be a tensor or numeric array for a torch model (or a list of texts with "
                    f"tokenizer=); received {type(inputs).__name__} of {array.dtype}"
                )
            inputs = torch.as_tensor(array)
        if inputs.ndim == 0 or len(inputs) == 0:
            raise ValueError(f"inputs must be a batch (n_inputs, ...) of at least one input; received shape "
                             f"{tuple(inputs.shape)}")  # fmt: skip
        parameter = next(model.parameters(), None)
        self.dtype = parameter.dtype if parameter is not None and parameter.is_floating_point() else torch.float32
        self.data, self.n = inputs, len(inputs)

    def batch(self, rows: np.ndarray, device: Any) -> tuple[tuple, dict, Any]:
        x = self.data[int(rows[0]) : int(rows[-1]) + 1]
        x = x.to(device, self.dtype) if x.is_floating_point() else x.to(device)
        return (x,), {}, None

    def types(self) -> list[Hashable]:
        """Each input's identity for the control task: a digest of its values (equal inputs share a type)."""
        import torch

        rows = self.data.detach().cpu().reshape(self.n, -1)
        rows = (rows.float() if rows.dtype == torch.bfloat16 else rows).contiguous().numpy()  # numpy has no bfloat16
        return [hashlib.blake2b(row.tobytes(), digest_size=16).digest() for row in rows]


class TextInputs:
    """Texts for a Hugging Face model, tokenized once and padded per batch (right padding, with the mask)."""

    unit = "text"

    def __init__(self, model: Any, tokenizer: Any, texts: Sequence[str], max_length: int | None) -> None:
        from ._hf import token_limit
        from ._inputs import check_count
        from ._text_common import pad_id

        if hasattr(model, "config"):
            limit = token_limit(model, tokenizer, max_length)
        else:
            limit = check_count("max_length", max_length, minimum=2)
        self.texts = tuple(texts)
        self.ids = [[int(i) for i in row] for row in tokenizer(list(self.texts), verbose=False)["input_ids"]]
        long = [i for i, row in enumerate(self.ids) if limit is not None and len(row) > limit]
        if long:
            cut = tokenizer([self.texts[i] for i in long], truncation=True, max_length=limit)["input_ids"]
            for i, row in zip(long, cut, strict=True):
                self.ids[i] = [int(t) for t in row]
            warnings.warn(f"{len(long)} text(s) are longer than the model's {limit} tokens (texts {long[:5]}"
                          f"{', ...' if len(long) > 5 else ''}); each is truncated", stacklevel=4)  # fmt: skip
        self.n, self.pad = len(self.ids), pad_id(tokenizer)
        accepted = inspect.signature(model.forward).parameters
        anything = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
        self.by_name = anything or "input_ids" in accepted
        self.pass_mask = anything or "attention_mask" in accepted

    def lengths(self) -> list[int]:
        return [len(row) for row in self.ids]

    def batch(self, rows: np.ndarray, device: Any) -> tuple[tuple, dict, Any]:
        from ._text_common import padded

        ids, mask = padded([self.ids[int(i)] for i in rows], self.pad, device)
        if not self.by_name:
            return (ids,), {}, mask
        return (), {"input_ids": ids, **({"attention_mask": mask} if self.pass_mask else {})}, mask

    def types(self) -> list[Hashable]:
        return list(self.texts)


def capture(
    model: Any,
    source: TensorInputs | TextInputs,
    layers: dict[str, Any],
    pool: str,
    batch_size: int,
    progress: bool | None,
    required: bool,
) -> dict[str, np.ndarray]:
    """Run ``source`` through the borrowed model in batches and return, per layer, the ``(n_inputs, features)``
    float32 pooled representations. ``required=False`` (default layers) drops, with a warning, a layer that does not
    run exactly once per forward; ``True`` makes that an error."""
    import torch

    from ._borrow import borrowed
    from ._hf import model_device
    from ._progress import run_in_chunks

    store = _Store(layers, source.n, pool, required)
    device = model_device(model)
    with borrowed(model), torch.no_grad():
        model.eval()
        handles = []
        try:
            for name, module in layers.items():
                handles.append(module.register_forward_hook(store.hook(name)))
            run_in_chunks(lambda rows: store.run(model, source, rows, device), np.arange(source.n), batch_size,
                          "probe: forward", progress, unit=source.unit)  # fmt: skip
        finally:
            for handle in handles:  # explicitly, not only by borrowed(): the hooks are ours to remove
                handle.remove()
    return store.result()


class _Store:
    """What the hooks write into: one preallocated float32 array per layer, filled batch by batch."""

    def __init__(self, layers: dict[str, Any], n: int, pool: str, required: bool) -> None:
        self.n, self.pool, self.required = n, pool, required
        self.names = list(layers)
        self.arrays: dict[str, np.ndarray] = {}
        self.dropped: dict[str, str] = {}
        self.calls = dict.fromkeys(self.names, 0)
        self.rows = np.arange(0)
        self.mask: Any = None

    def hook(self, name: str) -> Any:
        def hook(_module: Any, _args: Any, output: Any) -> None:
            self.calls[name] += 1
            if self.calls[name] == 1 and name not in self.dropped:
                self._keep(name, output)

        return hook

    def _keep(self, name: str, output: Any) -> None:
        import torch

        block = pooled(name, first_tensor(name, output), self.pool, self.mask, len(self.rows))
        block = block.to("cpu", torch.float32).numpy()
        array = self.arrays.get(name)
        if array is None:
            array = self.arrays[name] = np.empty((self.n, block.shape[1]), dtype=np.float32)
        elif array.shape[1] != block.shape[1]:
            raise ValueError(
                f"layer {name!r} gives {block.shape[1]} features for inputs {self.rows[0]}.. but {array.shape[1]} "
                "before; pool='none' needs outputs of one shape (pool='mean' or 'cls' gives one width)"
            )
        array[self.rows[0] : self.rows[0] + len(self.rows)] = block  # copies: the activation itself is not kept

    def run(self, model: Any, source: TensorInputs | TextInputs, rows: np.ndarray, device: Any) -> tuple:
        args, kwargs, self.mask = source.batch(rows, device)
        self.rows, self.calls = rows, dict.fromkeys(self.names, 0)
        model(*args, **kwargs)
        self.mask = None
        for name, calls in self.calls.items():
            if calls == 1 or name in self.dropped:
                continue
            why = "did not run in the forward pass" if calls == 0 else f"ran {calls} times in one forward pass"
            if self.required or rows[0] > 0:
                raise ValueError(f"layer {name!r} {why}; probe a module that runs once per forward pass")
            self.dropped[name] = why
            self.arrays.pop(name, None)
        return ()

    def result(self) -> dict[str, np.ndarray]:
        if self.dropped:
            listed = "; ".join(f"{name} {why}" for name, why in self.dropped.items())
            warnings.warn(f"probe: default layers left out: {listed}", stacklevel=4)
        kept = {name: self.arrays[name] for name in self.names if name not in self.dropped}
        if not kept:
            raise ValueError("probe: none of the default layers runs once per forward pass; pass layers=")
        return kept


def first_tensor(name: str, output: Any) -> Any:
    """The representation in a layer's output: the output itself, or the first tensor of a tuple (a transformer
    block's hidden states come first) or of a ModelOutput (``last_hidden_state``)."""
    import torch

    if isinstance(output, torch.Tensor):
        return output
    values = output.values() if isinstance(output, Mapping) else output if isinstance(output, tuple | list) else ()
    for value in values:
        if isinstance(value, torch.Tensor):
            return value
    raise TypeError(f"layer {name!r} returned a {type(output).__name__} holding no tensor; probe a module that does")


def pooled(name: str, t: Any, pool: str, mask: Any, batch: int) -> Any:
    """One vector per input from a layer's output.

    Texts (``mask`` given): ``(batch, tokens, hidden)`` averaged over real tokens only ("mean"), at position 0
    ("cls"), or flattened ("none"). Tensors: 2-D outputs are already vectors; 3-D are read as (batch, positions,
    features) like a sequence model's, 4-D and up as (batch, channels, *spatial) like a convolution's ("mean"
    averages the spatial positions).
    """
    if t.ndim == 0 or t.shape[0] != batch:
        raise ValueError(
            f"layer {name!r} gives an output of shape {tuple(t.shape)} for a batch of {batch}: probing needs the "
            "batch first (use batch_first=True for RNNs and transformer layers, or probe another layer)"
        )
    t = t.detach().float()  # float32 before averaging: half precision would lose the sums
    if t.ndim <= 2:
        return t.reshape(batch, -1)
    if pool == "none":
        return t.reshape(batch, -1)
    if mask is not None:
        if t.ndim != 3 or t.shape[1] != mask.shape[1]:
            raise ValueError(f"layer {name!r} gives an output of shape {tuple(t.shape)}; pooling over tokens needs "
                             f"(batch, {mask.shape[1]} tokens, hidden)")  # fmt: skip
        if pool == "cls":
            return t[:, 0]
        weights = mask.to(t.dtype).unsqueeze(-1)  # padding tokens weigh nothing
        return (t * weights).sum(1) / weights.sum(1).clamp(min=1)
    if t.ndim == 3:
        return t[:, 0] if pool == "cls" else t.mean(1)
    if pool == "cls":
        raise ValueError(
            f"pool='cls' takes position 0 of a (batch, positions, features) output; layer {name!r} gives "
            f"{tuple(t.shape)} (batch, channels, *spatial): use pool='mean' (averages the positions) or 'none'"
        )
    return t.flatten(2).mean(2)
