"""What every text method shares: the task, a text encoded with its offsets and special-token mask, the explained
output as a function of token ids or of strings (batched), and one text after another, lent, seeded and with
progress, gathered into an ``Attribution``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Attribution
from ._borrow import borrowed
from ._hf import model_device
from ._progress import run_in_chunks
from ._random import seeded

BATCH_TEXTS = 64  # texts per model call for LIME and SHAP


@dataclass(frozen=True)
class TextTask:
    """What every text method receives, validated.

    ``kind`` is ``"classifier"`` or ``"causal_lm"``; ``target`` a class index or token id, or ``None`` (every class
    of a classifier, the most likely next token of a language model); ``max_length`` the token limit texts are
    truncated to (``None``: no limit).
    """

    model: Any
    tokenizer: Any
    texts: tuple[str, ...]
    kind: str
    target: int | None
    output_names: tuple[str, ...] | None
    max_length: int | None
    n_samples: int | None
    baseline: str | int | None
    random_state: int | None
    progress: bool | None


@dataclass(frozen=True)
class Encoded:
    """One text as the model sees it (truncated): ids, tokens, which are special, and character offsets
    (``None`` for a tokenizer that cannot give them)."""

    text: str
    ids: list[int]
    tokens: list[str]
    special: list[bool]
    offsets: list[tuple[int, int]] | None


@dataclass(frozen=True)
class Scorer:
    """The explained outputs of one text: class logits, or one next-token logit at the last position."""

    model: Any
    tokenizer: Any
    kind: str
    columns: tuple[int, ...]
    max_length: int | None
    device: Any

    def __call__(self, input_ids: Any, attention_mask: Any) -> Any:
        """(n, n_outputs) logits; captum calls this with expanded ``input_ids`` and ``attention_mask``."""
        import torch

        logits = self.model(input_ids=input_ids, attention_mask=attention_mask).logits
        if self.kind == "causal_lm":  # right padding: the last real token is at length - 1
            last = attention_mask.sum(dim=1) - 1
            logits = logits[torch.arange(len(logits), device=logits.device), last]
        return logits[:, list(self.columns)]

    def texts(self, strings: Sequence[str]) -> np.ndarray:
        """Outputs for many strings (LIME's and SHAP's perturbations), one model call per batch."""
        import torch

        rows = []
        for start in range(0, len(strings), BATCH_TEXTS):
            batch = [str(s) for s in strings[start : start + BATCH_TEXTS]]
            ids = self.tokenizer(batch, truncation=self.max_length is not None, max_length=self.max_length)
            with torch.no_grad():
                rows.append(self(*padded(ids["input_ids"], pad_id(self.tokenizer), self.device)))
        return torch.cat(rows).double().cpu().numpy()

    def ids(self, ids: Sequence[int]) -> np.ndarray:
        """Outputs for one id sequence, shape (n_outputs,)."""
        import torch

        with torch.no_grad():
            return self(*padded([ids], pad_id(self.tokenizer), self.device))[0].double().cpu().numpy()


def padded(rows: Sequence[Sequence[int]], pad_id: int, device: Any) -> tuple[Any, Any]:
    """Right-padded ids and attention mask; an empty row (a fully masked text) keeps one pad token."""
    import torch

    rows = [list(r) or [pad_id] for r in rows]
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return ids.to(device), mask.to(device)


def pad_id(tokenizer: Any) -> int:
    for candidate in (tokenizer.pad_token_id, tokenizer.unk_token_id, tokenizer.eos_token_id):
        if candidate is not None:
            return int(candidate)
    return 0


def encode(tokenizer: Any, text: str, max_length: int | None) -> Encoded:
    # "special" means added by the tokenizer ([CLS], [SEP]), not any special id: an [UNK] standing for a word of the
    # text is part of the text, and is explained like any other token
    options = {"truncation": max_length is not None, "max_length": max_length, "return_special_tokens_mask": True}
    try:
        encoding = tokenizer(text, return_offsets_mapping=True, **options)
        offsets = [tuple(int(v) for v in o) for o in encoding["offset_mapping"]]
    except (NotImplementedError, TypeError, ValueError):  # slow tokenizers have no offsets
        encoding, offsets = tokenizer(text, **options), None
    ids = [int(i) for i in encoding["input_ids"]]
    special = [bool(m) for m in encoding["special_tokens_mask"]]
    return Encoded(text, ids, tokenizer.convert_ids_to_tokens(ids), special, offsets)


#: one text's result: values (n_tokens, n_outputs), base (n_outputs,), convergence delta (n_outputs,)
Explained = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class TextResult:
    """One explained text: its encoding, the explained logits (columns), and what the method found."""

    encoded: Encoded
    columns: tuple[int, ...]
    values: np.ndarray
    base: np.ndarray
    delta: np.ndarray


def explain_each(
    task: TextTask, method: str, label: str, explain: Callable[[Encoded, Scorer], Explained], baseline: str
) -> Attribution:
    """Borrow the model (given back as lent), seed, then ``explain`` each text in turn (progress, Ctrl-C between
    texts), and gather the ragged results into one Attribution."""
    model = task.model
    with borrowed(model), seeded(task.random_state):
        model.eval()
        for parameter in model.parameters():  # gradients are taken w.r.t. embeddings only; no weight graph needed
            parameter.requires_grad_(False)
        device = model_device(model)

        def one(rows: np.ndarray) -> tuple[np.ndarray]:
            encoded = encode(task.tokenizer, rows[0], task.max_length)
            scorer = Scorer(model, task.tokenizer, task.kind, _columns(task, encoded, device), task.max_length, device)
            out = np.empty(1, dtype=object)
            out[0] = TextResult(encoded, scorer.columns, *explain(encoded, scorer))
            return (out,)

        texts = np.empty(len(task.texts), dtype=object)
        texts[:] = task.texts
        (results,) = run_in_chunks(one, texts, 1, label, task.progress, unit="text")
    return _attribution(task, method, list(results), baseline)


def _columns(task: TextTask, encoded: Encoded, device: Any) -> tuple[int, ...]:
    """Which logits are explained: the target, every class, or this text's most likely next token."""
    if task.target is not None:
        return (task.target,)
    if task.kind == "classifier":
        return tuple(range(n_labels(task.model)))
    import torch

    ids, mask = padded([encoded.ids], pad_id(task.tokenizer), device)
    with torch.no_grad():
        logits = task.model(input_ids=ids, attention_mask=mask).logits[0, -1]
    return (int(logits.argmax()),)


def _attribution(task: TextTask, method: str, results: list[TextResult], baseline: str) -> Attribution:
    width = max(len(r.encoded.ids) for r in results)
    k = len(results[0].columns)
    values = np.zeros((len(results), width, k))
    data = np.full((len(results), width), np.nan)
    for i, r in enumerate(results):
        values[i, : len(r.values)] = r.values
        data[i, : len(r.encoded.ids)] = r.encoded.ids
    return Attribution(
        values, np.stack([r.base for r in results]), data=data,
        feature_names=[r.encoded.tokens for r in results], output_names=task.output_names or _names(task, results),
        method=method, convergence_delta=np.stack([r.delta for r in results]),
        output_space="logit" if task.kind == "classifier" else "next-token logit", baseline=baseline,
    )  # fmt: skip


def _names(task: TextTask, results: list[TextResult]) -> list[str]:
    if task.kind == "classifier":
        return [str(task.model.config.id2label.get(c, f"class {c}")) for c in results[0].columns]
    targets = [task.tokenizer.convert_ids_to_tokens(r.columns[0]) for r in results]
    if len(set(targets)) == 1:
        return [targets[0]]
    listed = ", ".join(repr(t) for t in targets[:5]) + (", ..." if len(targets) > 5 else "")
    return [f"most likely next token (per text: {listed})"]


def n_labels(model: Any) -> int:
    """How many classes a sequence classifier scores."""
    return int(model.config.num_labels)
