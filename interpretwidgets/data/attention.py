"""AttentionMaps: one text's attention weights, every layer and head, and what is computed from them alone.

Attention weights are not importances (Jain & Wallace 2019; Bastings & Filippova 2020): the views that show these maps
say so. What needs the model (gradient-weighted, value-weighted attention) is computed by ``kernels.attention``; what
needs the weights alone (rollout) is here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from ._checks import finite_float_array, names, text

__all__ = ["AttentionMaps"]

HeadFusion = Literal["mean", "max", "min"]

#: tokens a tokenizer adds around the text ([CLS], [SEP], <s>, </s>, <|endoftext|>, [PAD], <pad>, ...)
_SPECIAL = re.compile(r"^(\[[A-Z]+\]|<\|?/?[a-z_]+\|?>)$")


class AttentionMaps:
    """Attention weights of one text: ``attentions[layer, head, query, key]``, each query's row a distribution over
    the keys.

    Parameters
    ----------
    attentions : array_like, shape (n_layers, n_heads, n_tokens, n_tokens)
        Non-negative, finite weights (softmax outputs); self-attention, so queries and keys are the same tokens.
    tokens : sequence of str, length n_tokens
        The tokens, as the tokenizer wrote them.
    special : sequence of bool, optional
        Which tokens the tokenizer added ([CLS], [SEP], padding...); by default the tokens that look like one.
    method : str
        Where the weights come from (e.g. ``"attention"``, or the model's name).
    warning : str
        Something the views must say (e.g. that the text was truncated to the model's limit).

    Raises
    ------
    ValueError, TypeError
        A shape that is not (layers, heads, tokens, tokens), a token count that does not match, NaN/inf or negative
        weights, a non-bool ``special`` of the wrong length.
    """

    def __init__(
        self,
        attentions: Any,
        tokens: Sequence[str],
        *,
        special: Sequence[bool] | None = None,
        method: str = "attention",
        warning: str = "",
    ) -> None:
        weights = finite_float_array("attentions", attentions)
        if weights.ndim != 4 or weights.shape[2] != weights.shape[3] or 0 in weights.shape:
            raise ValueError(
                "attentions must have shape (n_layers, n_heads, n_tokens, n_tokens), non-empty, queries and keys "
                f"alike; received shape {weights.shape}"
            )
        if (weights < 0).any():
            first = tuple(int(i) for i in np.argwhere(weights < 0)[0])
            raise ValueError(f"attentions must be non-negative (softmax weights); received {weights[first]} at {first}")
        self.attentions = weights
        self.tokens: tuple[str, ...] = names("tokens", tokens, weights.shape[2], "token") or ()
        if special is None:
            self.special = np.array([bool(_SPECIAL.match(t)) for t in self.tokens])
        else:
            mask = np.asarray(special)
            if mask.dtype != bool or mask.shape != (self.n_tokens,):
                raise ValueError(
                    f"special must be {self.n_tokens} bools (one per token); received {mask.dtype} of shape "
                    f"{mask.shape}"
                )
            self.special = mask
        self.method = text("method", method)
        self.warning = text("warning", warning)

    @property
    def n_layers(self) -> int:
        return int(self.attentions.shape[0])

    @property
    def n_heads(self) -> int:
        return int(self.attentions.shape[1])

    @property
    def n_tokens(self) -> int:
        return int(self.attentions.shape[2])

    def fused(self, head: HeadFusion = "mean") -> np.ndarray:
        """The heads of each layer fused into one map, shape (n_layers, n_tokens, n_tokens): their mean, or their
        element-wise max or min (rows then no longer sum to 1; :meth:`rollout` normalises them again)."""
        fusions = {"mean": np.mean, "max": np.max, "min": np.min}
        if head not in fusions:
            raise ValueError(f"head must be one of 'mean', 'max', 'min'; received {head!r}")
        return fusions[head](self.attentions, axis=1)

    def rollout(self, head: HeadFusion = "mean", residual: float = 0.5) -> np.ndarray:
        """Attention rollout (Abnar & Zuidema 2020), after every layer.

        Each layer's fused map ``A`` becomes ``Â = (1 - residual)·A + residual·I`` (the residual connection carries
        a token to itself), with rows normalised to sum to 1; rollout multiplies them from the first layer up:
        ``R_l = Â_l · Â_{l-1} ⋯ Â_0``. ``R_l[i, j]`` is how much of token ``j`` at the input reaches token ``i``
        after layer ``l``, if information only flowed along attention and the residual stream.

        Parameters
        ----------
        head : "mean", "max" or "min"
            How each layer's heads are fused (see :meth:`fused`).
        residual : float in [0, 1]
            The residual stream's share; 0.5 with ``head="mean"`` is the original formulation, ``0.5·A + 0.5·I``.

        Returns
        -------
        numpy.ndarray, shape (n_layers, n_tokens, n_tokens)
            ``R_l`` for every layer ``l``; ``[-1]`` is the rollout through the whole model. Rows sum to 1.
        """
        if isinstance(residual, bool) or not isinstance(residual, int | float) or not 0 <= residual <= 1:
            raise ValueError(f"residual must be a number in [0, 1]; received {residual!r}")
        maps = (1 - residual) * self.fused(head) + residual * np.eye(self.n_tokens)
        sums = maps.sum(axis=-1, keepdims=True)
        maps = np.divide(maps, sums, out=np.zeros_like(maps), where=sums > 0)
        out = np.empty_like(maps)
        current = np.eye(self.n_tokens)
        for layer, step in enumerate(maps):
            current = step @ current
            out[layer] = current
        return out

    def __repr__(self) -> str:
        return (
            f"AttentionMaps(layers={self.n_layers}, heads={self.n_heads}, tokens={self.n_tokens}, "
            f"method={self.method!r})"
        )
