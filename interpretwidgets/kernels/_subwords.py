"""Word pieces merged into words (WordPiece's "##", byte-level BPE's "Ġ", SentencePiece's "▁"): a word's value is
the sum of its pieces'."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..data import Attribution

#: word-piece markers for ``merge_subwords``: (scheme, marker, whether the marker starts a word or continues one)
_SUBWORD_MARKERS = (("wordpiece", "##", False), ("byte-level BPE", "Ġ", True), ("sentencepiece", "▁", True))


def merged(attribution: Attribution, tokenizer: Any, scheme: tuple[str, str, bool]) -> Attribution:
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


def subword_scheme(tokenizer: Any) -> tuple[str, str, bool]:
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
