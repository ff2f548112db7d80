"""Token attributions for Hugging Face text models: ``explain_text`` and its registry of methods.

Every method explains the same outputs, so their numbers can be compared:

- a sequence classifier (``...ForSequenceClassification``, ``.logits`` of shape (n, n_classes)): the class logits;
- a causal language model (``GPT2LMHeadModel``, ``...ForCausalLM``): the logit of one next token at the last
  position of the text (logits, not log-probabilities: a log-probability mixes in every other token's logit, so
  attributions would no longer be about the target alone).
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Attribution
from ..data.interop import LIME_BASELINE
from ._borrow import borrowed
from ._inputs import check_count, check_names
from ._models import token_limit
from ._progress import run_in_chunks
from ._random import seeded
from .registry import Registry

__all__ = ["TEXT", "TextTask", "explain_text"]

DEFAULT_STEPS = 50  # integrated gradients: captum's default n_steps
DEFAULT_LIME_SAMPLES = 500  # lime's own default is 5000; 500 keeps one text to about a second on a small model
DEFAULT_SHAP_EVALS = 500  # shap's PartitionExplainer default max_evals
BATCH_TEXTS = 64  # texts per model call for LIME and SHAP
IG_INTERNAL_BATCH = 64  # interpolation steps per forward pass
LIME_WORDS = r"\W+"  # LimeTextExplainer's own word splitter

#: word-piece markers for ``merge_subwords``: (scheme, marker, whether the marker starts a word or continues one)
_SUBWORD_MARKERS = (("wordpiece", "##", False), ("byte-level BPE", "Ġ", True), ("sentencepiece", "▁", True))


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


TEXT: Registry[TextTask, Attribution] = Registry("text")


def explain_text(
    model: Any,
    tokenizer: Any,
    texts: str | Sequence[str],
    method: str = "integrated_gradients",
    *,
    target: int | str | None = None,
    output_names: Sequence[str] | None = None,
    merge_subwords: bool = False,
    max_length: int | None = None,
    n_samples: int | None = None,
    baseline: str | int | None = None,
    random_state: int | None = None,
    progress: bool | None = None,
) -> Attribution:
    """Explain a Hugging Face text model's outputs token by token.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        A sequence classifier (explained: its class logits) or a causal language model (explained: the logit of
        ``target`` as the next token after the text). Borrowed: mode, ``requires_grad``, hooks and ``.grad`` are
        given back as they were; inputs go to the model's device.
    tokenizer : transformers tokenizer
        The model's tokenizer (a fast one for ``"lime"`` and ``"shap"``, which need character offsets).
    texts : str or list of str
        The texts to explain, each non-empty.
    method : str
        A registered method (``TEXT.names()``):

        - ``"integrated_gradients"``: captum ``LayerIntegratedGradients`` on ``model.get_input_embeddings()``,
          summed over the embedding dimension; ``convergence_delta`` is captum's.
        - ``"gradient_x_input"``: captum ``LayerGradientXActivation`` on the same embeddings (one gradient, no
          path: its base value is the output with all-zero word embeddings, and its gap is kept).
        - ``"lime"``: ``lime.lime_text.LimeTextExplainer`` with ``bow=False`` (a word at each position is its own
          feature); LIME explains words, and each word's weight is split equally among the tokens it overlaps.
        - ``"shap"``: ``shap.Explainer`` with ``shap.maskers.Text(tokenizer)`` (a PartitionExplainer over tokens).
    target : int or str, optional
        Classifier: a class index or label (``config.id2label``); default every class. Language model: the next
        token to explain, as an id, a token string of the vocabulary (``"Ġthe"``) or a text that is one token
        (``" the"``); default each text's own most likely next token.
    output_names : sequence of str, optional
        Names of the explained outputs (default: the labels, or the target token).
    merge_subwords : bool
        Merge word pieces into words (``"##"`` pieces of WordPiece, ``"Ġ"`` word starts of byte-level BPE,
        ``"▁"`` of SentencePiece); a word's value is the sum of its pieces'. ``data`` is then ``None``
        (otherwise it holds the token ids).
    max_length : int, optional
        Explain at most this many tokens of each text (default and maximum: the model's limit). Longer texts are
        truncated with a warning naming their token counts.
    n_samples : int, optional
        The method's budget: integrated gradients ``n_steps`` (default 50), LIME ``num_samples`` (default 500,
        lime's own is 5000: raise it for stabler weights), SHAP ``max_evals`` (default 500). Unused by
        ``"gradient_x_input"``.
    baseline : str or int, optional
        The token that stands for a removed token. ``"integrated_gradients"``: replaces every non-special token
        (default: the pad token, else the unknown token; special tokens are kept). ``"shap"``: the masker's
        ``mask_token`` (default: the tokenizer's mask token, else ``"..."``). ``"lime"``: the ``mask_string``
        that replaces removed words (default ``"UNKWORDZ"``). ``"gradient_x_input"`` has no baseline.
    random_state : int, optional
        Seeds LIME's sampling (and numpy/torch around every method) without touching the global random state.
    progress : bool, optional
        Show a tqdm.auto bar over the texts; by default only for more than one text. Ctrl-C lands between texts.

    Returns
    -------
    Attribution
        ``values`` of shape (n_texts, max_tokens, n_outputs), padded with zeros after each text's tokens;
        ``tokens`` the per-text token lists (words with ``merge_subwords``); ``convergence_delta``
        ``Σ values + base - model output`` for every method.

    Raises
    ------
    ValueError, TypeError
        Before any heavy work: an unknown method (the message lists the registered ones), empty or non-str texts,
        a target out of range, a tokenizer whose vocabulary does not fit the model, a model that is neither a
        sequence classifier nor a causal language model, bad budgets or names.
    """
    entry = TEXT.get(method)
    kind = _model_kind(model)
    checked = _texts(texts)
    _check_vocabulary(model, tokenizer)
    if not isinstance(merge_subwords, bool):
        raise TypeError(f"merge_subwords must be a bool; received {type(merge_subwords).__name__}")
    scheme = _subword_scheme(tokenizer) if merge_subwords else None
    n_samples = check_count("n_samples", n_samples)
    random_state = check_count("random_state", random_state, minimum=0)
    resolved = _target(model, tokenizer, kind, target)
    n_outputs = 1 if kind == "causal_lm" or resolved is not None else _n_labels(model)
    names = check_names("output_names", output_names, n_outputs)
    limit = token_limit(model, tokenizer, max_length)
    _warn_truncated(tokenizer, checked, limit)
    _check_runs(model, tokenizer, kind, checked[0], limit)
    task = TextTask(
        model, tokenizer, checked, kind, resolved, None if names is None else tuple(names), limit, n_samples,
        _baseline(tokenizer, entry.name, baseline), random_state, progress,
    )  # fmt: skip
    attribution = entry.compute(task)
    return attribution if scheme is None else _merged(attribution, tokenizer, scheme)


# -- validation (cheap, before any model call) -------------------------------------------------------------------


def _texts(texts: Any) -> tuple[str, ...]:
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


def _model_kind(model: Any) -> str:
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


def _n_labels(model: Any) -> int:
    return int(model.config.num_labels)


def _embedding_rows(model: Any) -> int:
    return int(model.get_input_embeddings().weight.shape[0])


def _check_vocabulary(model: Any, tokenizer: Any) -> None:
    if not callable(tokenizer) or not hasattr(tokenizer, "convert_ids_to_tokens"):
        raise TypeError(f"tokenizer must be a Hugging Face tokenizer; received {type(tokenizer).__name__}")
    size, rows = len(tokenizer), _embedding_rows(model)
    if size > rows:
        raise ValueError(
            f"the tokenizer's vocabulary ({size} tokens) does not fit the model's input embeddings ({rows} rows): "
            "token ids would index past them. Use the tokenizer the model was trained with"
        )


def _target(model: Any, tokenizer: Any, kind: str, target: Any) -> int | None:
    """A class index (classifier) or token id (language model); ``None`` keeps the default."""
    if target is None:
        return None
    if kind == "classifier":
        labels = [str(model.config.id2label.get(i, i)) for i in range(_n_labels(model))]
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


def _warn_truncated(tokenizer: Any, texts: tuple[str, ...], limit: int | None) -> None:
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


def _check_runs(model: Any, tokenizer: Any, kind: str, text: str, limit: int | None) -> None:
    """One forward pass on the first text: the model must give ``.logits`` of the shape its kind explains."""
    import torch

    with borrowed(model), torch.no_grad():
        model.eval()
        try:
            ids, mask = _padded([_encode(tokenizer, text, limit).ids], _pad_id(tokenizer), _device(model))
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


def _baseline(tokenizer: Any, method: str, baseline: Any) -> str | int | None:
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


# -- what every method shares ------------------------------------------------------------------------------------


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
                rows.append(self(*_padded(ids["input_ids"], _pad_id(self.tokenizer), self.device)))
        return torch.cat(rows).double().cpu().numpy()

    def ids(self, ids: Sequence[int]) -> np.ndarray:
        """Outputs for one id sequence, shape (n_outputs,)."""
        import torch

        with torch.no_grad():
            return self(*_padded([ids], _pad_id(self.tokenizer), self.device))[0].double().cpu().numpy()


def _padded(rows: Sequence[Sequence[int]], pad_id: int, device: Any) -> tuple[Any, Any]:
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


def _pad_id(tokenizer: Any) -> int:
    for candidate in (tokenizer.pad_token_id, tokenizer.unk_token_id, tokenizer.eos_token_id):
        if candidate is not None:
            return int(candidate)
    return 0


def _encode(tokenizer: Any, text: str, max_length: int | None) -> Encoded:
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


def _device(model: Any) -> Any:
    import torch

    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


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


def _explain_each(
    task: TextTask, method: str, label: str, explain: Callable[[Encoded, Scorer], Explained], baseline: str
) -> Attribution:
    """Borrow the model (given back as lent), seed, then ``explain`` each text in turn (progress, Ctrl-C between
    texts), and gather the ragged results into one Attribution."""
    model = task.model
    with borrowed(model), seeded(task.random_state):
        model.eval()
        for parameter in model.parameters():  # gradients are taken w.r.t. embeddings only; no weight graph needed
            parameter.requires_grad_(False)
        device = _device(model)

        def one(rows: np.ndarray) -> tuple[np.ndarray]:
            encoded = _encode(task.tokenizer, rows[0], task.max_length)
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
        return tuple(range(_n_labels(task.model)))
    import torch

    ids, mask = _padded([encoded.ids], _pad_id(task.tokenizer), device)
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


# -- the methods -------------------------------------------------------------------------------------------------


@TEXT.register("integrated_gradients", summary="LayerIntegratedGradients (captum) on the input embeddings")
def integrated_gradients(task: TextTask) -> Attribution:
    from captum.attr import LayerIntegratedGradients

    replacement = _replacement_id(task.tokenizer, task.baseline)
    steps = task.n_samples or DEFAULT_STEPS

    def explain(encoded: Encoded, scorer: Scorer) -> Explained:
        ids, mask = _padded([encoded.ids], _pad_id(task.tokenizer), scorer.device)
        reference = baseline_ids(encoded, replacement).to(scorer.device)
        method = LayerIntegratedGradients(scorer, task.model.get_input_embeddings())
        values, deltas = [], []
        for k in range(len(scorer.columns)):
            attr, delta = method.attribute(
                ids, baselines=reference, target=k, additional_forward_args=(mask,), n_steps=steps,
                internal_batch_size=IG_INTERNAL_BATCH, return_convergence_delta=True,
            )  # fmt: skip
            values.append(_per_token(attr))
            deltas.append(float(delta.reshape(-1)[0]))
        return np.stack(values, axis=-1), scorer.ids(reference[0].tolist()), np.array(deltas)

    token = task.tokenizer.convert_ids_to_tokens(replacement)
    baseline = f"model output with every non-special token replaced by {token!r} (special tokens kept)"
    return _explain_each(task, "integrated_gradients", "Integrated gradients", explain, baseline)


def _per_token(attribution: Any) -> np.ndarray:
    """A (1, n_tokens, embedding) attribution of one text as one number per token: summed over the embedding."""
    return attribution.sum(dim=-1)[0].detach().double().cpu().numpy()


def baseline_ids(encoded: Encoded, replacement: int) -> Any:
    """The integrated-gradients reference: the text's ids with every non-special token replaced, shape (1, n)."""
    import torch

    return torch.tensor([[i if s else replacement for i, s in zip(encoded.ids, encoded.special, strict=True)]])


def _replacement_id(tokenizer: Any, baseline: str | int | None) -> int:
    if isinstance(baseline, int):
        return baseline
    for candidate in (tokenizer.pad_token_id, tokenizer.unk_token_id):
        if candidate is not None:
            return int(candidate)
    raise ValueError("the tokenizer has neither a pad nor an unknown token; pass baseline=<a token> to replace with")


@TEXT.register("gradient_x_input", summary="Gradient × input (captum LayerGradientXActivation) on the embeddings")
def gradient_x_input(task: TextTask) -> Attribution:
    from captum.attr import LayerGradientXActivation

    embeddings = task.model.get_input_embeddings()

    def explain(encoded: Encoded, scorer: Scorer) -> Explained:
        ids, mask = _padded([encoded.ids], _pad_id(task.tokenizer), scorer.device)
        method = LayerGradientXActivation(scorer, embeddings)
        values = [
            _per_token(method.attribute(ids, target=k, additional_forward_args=(mask,)))
            for k in range(len(scorer.columns))
        ]
        with _zero_output(embeddings):
            base = scorer.ids(encoded.ids)
        stacked = np.stack(values, axis=-1)
        return stacked, base, stacked.sum(axis=0) + base - scorer.ids(encoded.ids)

    baseline = "model output with every word embedding set to zero (gradient × input is first-order: the gap is kept)"
    return _explain_each(task, "gradient_x_input", "Gradient × input", explain, baseline)


@contextlib.contextmanager
def _zero_output(module: Any) -> Iterator[None]:
    """Run a block with ``module`` returning zeros (its hook removed afterwards, even on error)."""
    import torch

    handle = module.register_forward_hook(lambda _module, _inputs, output: torch.zeros_like(output))
    try:
        yield
    finally:
        handle.remove()


@TEXT.register("lime", summary="LIME text (lime.LimeTextExplainer, bow=False), word weights split over tokens")
def lime(task: TextTask) -> Attribution:
    from lime.lime_text import LimeTextExplainer

    _need_offsets(task.tokenizer, "lime")
    wordless = [i for i, text in enumerate(task.texts) if not _lime_words(text)]
    if wordless:
        raise ValueError(f"method='lime' removes words; texts {wordless} have none (only punctuation or symbols)")
    samples = task.n_samples or DEFAULT_LIME_SAMPLES

    def explain(encoded: Encoded, scorer: Scorer) -> Explained:
        outputs = list(range(len(scorer.columns)))
        explainer = LimeTextExplainer(
            class_names=[str(c) for c in scorer.columns], bow=False, mask_string=task.baseline,
            random_state=task.random_state,
        )  # fmt: skip
        words = _lime_words(encoded.text)
        explanation = explainer.explain_instance(
            encoded.text, scorer.texts, labels=outputs, num_features=len(words), num_samples=samples
        )
        weights = np.zeros((len(words), len(outputs)))
        for k in outputs:
            for word, weight in explanation.local_exp[k]:
                weights[int(word), k] = weight
        values = _spread(weights, words, encoded)
        base = np.array([float(explanation.intercept[k]) for k in outputs])
        return values, base, values.sum(axis=0) + base - np.asarray(explanation.predict_proba, dtype=float)

    return _explain_each(task, "lime", "LIME", explain, LIME_BASELINE)


def _lime_words(text: str) -> list[tuple[int, int]]:
    """Character spans of the words LimeTextExplainer perturbs (its default splitter), in its feature order."""
    spans, position = [], 0
    for piece in re.split(f"({LIME_WORDS})|$", text):
        if not piece:
            continue
        if not re.fullmatch(LIME_WORDS, piece):
            spans.append((position, position + len(piece)))
        position += len(piece)
    return spans


def _spread(weights: np.ndarray, words: list[tuple[int, int]], encoded: Encoded) -> np.ndarray:
    """Word weights onto tokens: each word's weight split equally among the non-special tokens it overlaps, so
    tokens add up to the words (a word past the truncation has no token, and its weight is lost to the gap)."""
    if encoded.offsets is None:
        raise TypeError("mapping words onto tokens needs character offsets; use a fast tokenizer (use_fast=True)")
    values = np.zeros((len(encoded.ids), weights.shape[1]))
    for (start, end), weight in zip(words, weights, strict=True):
        pieces = [
            t
            for t, ((a, b), special) in enumerate(zip(encoded.offsets, encoded.special, strict=True))
            if not special and a < end and b > start
        ]
        for t in pieces:
            values[t] += weight / len(pieces)
    return values


def _need_offsets(tokenizer: Any, method: str) -> None:
    if not getattr(tokenizer, "is_fast", True):
        raise TypeError(
            f"method={method!r} maps its pieces of text onto tokens by character offsets, which only fast "
            f"tokenizers give; received {type(tokenizer).__name__} (load it with use_fast=True)"
        )


@TEXT.register("shap", summary="SHAP (shap.Explainer with the shap.maskers.Text masker), on the tokenizer's tokens")
def shap(task: TextTask) -> Attribution:
    import shap as shap_library

    _need_offsets(task.tokenizer, "shap")
    masker = shap_library.maskers.Text(task.tokenizer, mask_token=task.baseline)
    evals = task.n_samples or DEFAULT_SHAP_EVALS

    def explain(encoded: Encoded, scorer: Scorer) -> Explained:
        explainer = shap_library.Explainer(scorer.texts, masker, seed=task.random_state)
        explanation = explainer([encoded.text], max_evals=evals, batch_size=BATCH_TEXTS, silent=True)
        full = np.asarray(explanation.values[0], dtype=float).reshape(len(explanation.values[0]), -1)
        values = full[_shap_positions(encoded, len(full))]
        base = np.asarray(explanation.base_values[0], dtype=float).reshape(-1)
        return values, base, values.sum(axis=0) + base - scorer.ids(encoded.ids)

    baseline = f"model output with every token masked by {masker.mask_token!r} (shap's Text masker)"
    return _explain_each(task, "shap", "SHAP", explain, baseline)


def _shap_positions(encoded: Encoded, n_full: int) -> list[int]:
    """For each of our (possibly truncated) tokens, its index among shap's tokens of the whole text: the kept
    prefix, then the special tokens the tokenizer appends (shap's values past the truncation are left out)."""
    n = len(encoded.ids)
    if n == n_full:
        return list(range(n))
    suffix = 0
    while suffix < n and encoded.special[n - 1 - suffix]:
        suffix += 1
    return list(range(n - suffix)) + list(range(n_full - suffix, n_full))


# -- merging word pieces -----------------------------------------------------------------------------------------


def _merged(attribution: Attribution, tokenizer: Any, scheme: tuple[str, str, bool]) -> Attribution:
    """The same attribution over words: each word's values are the sum of its pieces'."""
    special = set(tokenizer.all_special_tokens)
    groups = [_word_groups(attribution.tokens_of(i), special, scheme) for i in range(attribution.n_instances)]
    width = max(len(g) for g in groups)
    values = np.zeros((attribution.n_instances, width, attribution.n_outputs))
    words = []
    for i, group in enumerate(groups):
        tokens = attribution.tokens_of(i)
        for w, pieces in enumerate(group):
            values[i, w] = attribution.values[i, pieces].sum(axis=0)
        words.append([_word(tokenizer, [tokens[p] for p in pieces], scheme) for pieces in group])
    return Attribution(
        values, attribution.base_values, feature_names=words, output_names=attribution.output_names,
        method=attribution.method, convergence_delta=attribution.convergence_delta,
        output_space=attribution.output_space, baseline=attribution.baseline,
    )  # fmt: skip


def _subword_scheme(tokenizer: Any) -> tuple[str, str, bool]:
    """How the vocabulary marks word pieces: (scheme, marker, whether the marker starts a word)."""
    vocabulary = tokenizer.get_vocab()
    for scheme, marker, starts in _SUBWORD_MARKERS:
        if any(token.startswith(marker) and len(token) > len(marker) for token in vocabulary):
            return scheme, marker, starts
    raise ValueError(
        "merge_subwords needs a tokenizer that marks word pieces ('##' continuations of WordPiece, 'Ġ' or '▁' "
        f"word starts of byte-level BPE or SentencePiece); {type(tokenizer).__name__}'s vocabulary has neither"
    )


def _word_groups(tokens: Sequence[str], special: set[str], scheme: tuple[str, str, bool]) -> list[list[int]]:
    """Token indices of each word; special tokens are words of their own."""
    _, marker, starts = scheme
    groups: list[list[int]] = []
    previous_special = True
    for t, token in enumerate(tokens):
        is_special = token in special
        continues = (not token.startswith(marker)) if starts else token.startswith(marker)
        if groups and continues and not is_special and not previous_special:
            groups[-1].append(t)
        else:
            groups.append([t])
        previous_special = is_special
    return groups


def _word(tokenizer: Any, pieces: list[str], scheme: tuple[str, str, bool]) -> str:
    try:
        word = tokenizer.convert_tokens_to_string(pieces).strip()
    except Exception:  # some tokenizers cannot rebuild text from pieces: strip the markers instead
        word = ""
    return word or "".join(p.replace(scheme[1], "") for p in pieces) or "".join(pieces)


#: the registered method names
METHODS = TEXT.names()
