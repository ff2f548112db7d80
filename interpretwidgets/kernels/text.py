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
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..data import Attribution
from ..data.interop import LIME_BASELINE
from ._hf import token_limit
from ._inputs import check_count, check_names
from ._subwords import merged, subword_scheme
from ._text_common import BATCH_TEXTS, Encoded, Explained, Scorer, TextTask, explain_each, n_labels, pad_id, padded
from ._text_inputs import (
    check_baseline,
    check_runs,
    check_texts,
    check_vocabulary,
    model_kind,
    resolve_target,
    warn_truncated,
)
from .registry import Registry

__all__ = ["TEXT", "TextTask", "explain_text"]

DEFAULT_STEPS = 50  # integrated gradients: captum's default n_steps

DEFAULT_LIME_SAMPLES = 500  # lime's own default is 5000; 500 keeps one text to about a second on a small model

DEFAULT_SHAP_EVALS = 500  # shap's PartitionExplainer default max_evals

IG_INTERNAL_BATCH = 64  # interpolation steps per forward pass

LIME_WORDS = r"\W+"  # LimeTextExplainer's own word splitter

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
    kind = model_kind(model)
    checked = check_texts(texts)
    check_vocabulary(model, tokenizer)
    if not isinstance(merge_subwords, bool):
        raise TypeError(f"merge_subwords must be a bool; received {type(merge_subwords).__name__}")
    scheme = subword_scheme(tokenizer) if merge_subwords else None
    n_samples = check_count("n_samples", n_samples)
    random_state = check_count("random_state", random_state, minimum=0)
    resolved = resolve_target(model, tokenizer, kind, target)
    n_outputs = 1 if kind == "causal_lm" or resolved is not None else n_labels(model)
    names = check_names("output_names", output_names, n_outputs)
    limit = token_limit(model, tokenizer, max_length)
    warn_truncated(tokenizer, checked, limit)
    check_runs(model, tokenizer, kind, checked[0], limit)
    task = TextTask(
        model, tokenizer, checked, kind, resolved, None if names is None else tuple(names), limit, n_samples,
        check_baseline(tokenizer, entry.name, baseline), random_state, progress,
    )  # fmt: skip
    attribution = entry.compute(task)
    return attribution if scheme is None else merged(attribution, tokenizer, scheme)


@TEXT.register("integrated_gradients", summary="LayerIntegratedGradients (captum) on the input embeddings")
def integrated_gradients(task: TextTask) -> Attribution:
    from captum.attr import LayerIntegratedGradients

    replacement = _replacement_id(task.tokenizer, task.baseline)
    steps = task.n_samples or DEFAULT_STEPS

    def explain(encoded: Encoded, scorer: Scorer) -> Explained:
        ids, mask = padded([encoded.ids], pad_id(task.tokenizer), scorer.device)
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
    return explain_each(task, "integrated_gradients", "Integrated gradients", explain, baseline)


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
        ids, mask = padded([encoded.ids], pad_id(task.tokenizer), scorer.device)
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
    return explain_each(task, "gradient_x_input", "Gradient × input", explain, baseline)


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

    return explain_each(task, "lime", "LIME", explain, LIME_BASELINE)


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
    return explain_each(task, "shap", "SHAP", explain, baseline)


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


#: the registered method names
METHODS = TEXT.names()
