"""AttentionMaps: one text's attention weights, every layer and head, and what is computed from them.

Attention weights are not importances (Jain & Wallace 2019; Bastings & Filippova 2020): the views that show these maps
say so. What needs the model is gathered by ``kernels.attention`` when it extracts the weights (the value vectors'
norms) or kept there to be computed on demand (gradients of a target); what needs the weights alone (rollout, flow)
is here.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Literal

import numpy as np

from ._checks import finite_float_array, names, text

__all__ = ["AttentionMaps"]

HeadFusion = Literal["mean", "max", "min"]

#: how far a softmax row's sum may stray from 1 (float16 models round to about 1e-3)
ROW_SUM_TOLERANCE = 5e-3
#: capacities become integers (scipy's max flow needs them): ``round(weight · FLOW_SCALE)``; the flow's absolute error
#: is at most (edges in the layered graph) / (2 · FLOW_SCALE), and the largest flow, about FLOW_SCALE, fits in int32
FLOW_SCALE = 2**28
#: with ``progress=None`` the flow shows a bar from this many max-flow problems on
FLOW_PROGRESS_PAIRS = 2000

#: computes ∂target/∂attention, shape (n_layers, n_heads, n_tokens, n_tokens), for a target (None: the default)
GradientSource = Callable[[Any], np.ndarray]

#: tokens a tokenizer adds around the text ([CLS], [SEP], <s>, </s>, <|endoftext|>, [PAD], <pad>, ...)
_SPECIAL = re.compile(r"^(\[[A-Z]+\]|<\|?/?[a-z_]+\|?>)$")


class AttentionMaps:
    """Attention weights of one text: ``attentions[layer, head, query, key]``, each query's row a distribution over
    the keys.

    Parameters
    ----------
    attentions : array_like, shape (n_layers, n_heads, n_tokens, n_tokens)
        Non-negative, finite weights (softmax outputs); self-attention, so queries and keys are the same tokens.
        A float16, float32 or float64 array is kept as it is (not copied); other numbers become float64. Maps
        computed from it are float32, or float64 for float64 weights.
    tokens : sequence of str, length n_tokens
        The tokens, as the tokenizer wrote them.
    special : sequence of bool, optional
        Which tokens the tokenizer added ([CLS], [SEP], padding...); by default the tokens that look like one.
    method : str
        Where the weights come from (e.g. ``"attention"``, or the model's name).
    warning : str
        Something the views must say (e.g. that the text was truncated to the model's limit).
    value_norms : array_like, shape (n_layers, n_heads, n_tokens), optional
        ``‖f^h(x_j)‖``: the norm of each token's value vector transformed by its head's slice of the output
        projection, ``f^h(x) = (x W_V^h + b_V^h) W_O^h`` (Kobayashi et al. 2020); needed by :meth:`value_weighted`.
        :func:`interpretwidgets.attention` gathers them for the models it knows.
    value_products : array_like, shape (n_layers, n_tokens, n_heads, n_heads), optional
        ``⟨f^h(x_j), f^g(x_j)⟩`` for every pair of heads (the diagonal is ``value_norms²``); needed by
        ``value_weighted(head="sum")``, the norm of the whole layer's attention output.
    attention_gradients : array_like, shape (n_layers, n_heads, n_tokens, n_tokens), optional
        Precomputed ``∂target/∂attention`` for :meth:`gradient_weighted` without a model.

    Raises
    ------
    ValueError, TypeError
        A shape that is not (layers, heads, tokens, tokens), a token count that does not match, NaN/inf or negative
        weights, a non-bool ``special`` of the wrong length, value norms or gradients of another shape.

    Warns
    -----
    UserWarning
        Rows that do not sum to 1 (beyond 0.005; rows of zeros, fully masked queries, are fine): these are then not
        softmax weights (scores before the softmax? heads averaged with something else?).
    """

    def __init__(
        self,
        attentions: Any,
        tokens: Sequence[str],
        *,
        special: Sequence[bool] | None = None,
        method: str = "attention",
        warning: str = "",
        value_norms: Any = None,
        value_products: Any = None,
        attention_gradients: Any = None,
    ) -> None:
        shape = np.shape(attentions)
        if len(shape) != 4 or shape[2] != shape[3] or 0 in shape:
            raise ValueError(
                "attentions must have shape (n_layers, n_heads, n_tokens, n_tokens), non-empty, queries and keys "
                f"alike; received shape {shape}"
            )
        # a model's float16/float32 weights are kept as they are: 32 layers × 32 heads at 2,048 tokens is 8.6 GB in
        # float16, four times that in float64
        weights = finite_float_array("attentions", attentions, keep_float=True)
        for layer, layer_weights in enumerate(weights):  # per layer: no temporary the size of the whole tensor
            if (layer_weights < 0).any():
                first = (layer, *(int(i) for i in np.argwhere(layer_weights < 0)[0]))
                raise ValueError(
                    f"attentions must be non-negative (softmax weights); received {weights[first]} at {first}"
                )
        _warn_unless_rows_sum_to_one(weights)
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
        layers, heads, n = weights.shape[:3]
        self.value_norms = _optional_array(
            "value_norms", value_norms, (layers, heads, n), "(n_layers, n_heads, n_tokens)"
        )
        if self.value_norms is not None and (self.value_norms < 0).any():
            raise ValueError("value_norms must be non-negative (they are norms)")
        self.value_products = _optional_array(
            "value_products", value_products, (layers, n, heads, heads), "(n_layers, n_tokens, n_heads, n_heads)"
        )
        gradients = _optional_array(
            "attention_gradients", attention_gradients, weights.shape, "(n_layers, n_heads, n_tokens, n_tokens)"
        )
        # ∂target/∂attention per target (None: the default target, or the precomputed gradients)
        self._gradients: dict[Hashable, np.ndarray] = {} if gradients is None else {None: gradients}
        # set by kernels.attention: computes gradients on demand with the model it holds
        self._gradient_source: GradientSource | None = None

    @property
    def n_layers(self) -> int:
        return int(self.attentions.shape[0])

    @property
    def n_heads(self) -> int:
        return int(self.attentions.shape[1])

    @property
    def n_tokens(self) -> int:
        return int(self.attentions.shape[2])

    @property
    def dtype(self) -> np.dtype:
        """The float type of computed maps: float32, or float64 when the weights are float64."""
        return np.result_type(self.attentions.dtype, np.float32)

    @property
    def has_gradients(self) -> bool:
        """Whether :meth:`gradient_weighted` can answer: the maps hold their model, or precomputed gradients."""
        return self._gradient_source is not None or bool(self._gradients)

    def fused(self, head: HeadFusion = "mean") -> np.ndarray:
        """The heads of each layer fused into one map, shape (n_layers, n_tokens, n_tokens): their mean, or their
        element-wise max or min (rows then no longer sum to 1; :meth:`rollout` normalises them again)."""
        fusions = {"mean": np.mean, "max": np.max, "min": np.min}
        if head not in fusions:
            raise ValueError(f"head must be one of 'mean', 'max', 'min'; received {head!r}")
        out = np.empty((self.n_layers, self.n_tokens, self.n_tokens), dtype=self.dtype)
        for layer, heads in enumerate(self.attentions):  # per layer: float16 weights never upcast all at once
            out[layer] = fusions[head](heads.astype(self.dtype, copy=False), axis=0)
        return out

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
        maps = self._residual_steps(head, residual)
        out = np.empty_like(maps)
        current = np.eye(self.n_tokens, dtype=maps.dtype)
        for layer, step in enumerate(maps):
            current = step @ current
            out[layer] = current
        return out

    def _residual_steps(self, head: HeadFusion, residual: float) -> np.ndarray:
        """``Â_l = (1 - residual)·A_l + residual·I``, rows normalised: rollout's steps and flow's capacities."""
        if isinstance(residual, bool) or not isinstance(residual, int | float) or not 0 <= residual <= 1:
            raise ValueError(f"residual must be a number in [0, 1]; received {residual!r}")
        maps = self.fused(head)
        maps *= 1 - residual
        maps += residual * np.eye(self.n_tokens, dtype=maps.dtype)
        sums = maps.sum(axis=-1, keepdims=True)
        return np.divide(maps, sums, out=np.zeros_like(maps), where=sums > 0)

    def flow(
        self,
        head: HeadFusion = "mean",
        residual: float = 0.5,
        *,
        layers: Sequence[int] | None = None,
        queries: Sequence[int] | None = None,
        progress: bool | None = None,
    ) -> np.ndarray:
        """Attention flow (Abnar & Zuidema 2020): exact maximum flow through the layers.

        The layered graph has a node per token before the first layer and after each layer; token ``j`` after layer
        ``l - 1`` connects to token ``i`` after layer ``l`` with capacity ``Â_l[i, j]``, the residual-mixed,
        row-normalised map that :meth:`rollout` multiplies. ``flow[l, i, j]`` is the maximum flow from input token
        ``j`` to token ``i`` after layer ``l``. Rollout sums every path's product of weights; flow is limited by the
        narrowest cut, so it is never above 1 and treats the layers as a network of pipes.

        Each value is one maximum-flow problem, solved by Dinic's algorithm (``scipy.sparse.csgraph.maximum_flow``)
        on capacities rounded to integers, ``round(Â · 2**28)``: the absolute error of a value after layer ``l`` is at
        most ``(l + 1)·n_tokens² / 2**29`` (every capacity is off by at most half a unit; a cut has at most every edge),
        e.g. 4.6e-5 at 64 tokens × 6 layers, and much less in practice.

        Parameters
        ----------
        head : "mean", "max" or "min"
            How each layer's heads are fused (see :meth:`fused`).
        residual : float in [0, 1]
            The residual stream's share, as in :meth:`rollout`.
        layers, queries : sequence of int, optional
            Compute only these layers' rows for these query tokens (default: all), e.g. what a view shows; the
            other entries are NaN. The cost is one problem per (layer, query, key) computed.
        progress : bool, optional
            A tqdm.auto bar over the queries; by default shown from 2,000 problems on. Ctrl-C stops between problems.

        Returns
        -------
        numpy.ndarray, shape (n_layers, n_tokens, n_tokens)
            ``flow[l, i, j]`` in [0, 1]; NaN where not computed.
        """
        steps = self._residual_steps(head, residual)
        layer_list = self._indices("layers", layers, self.n_layers)
        query_list = self._indices("queries", queries, self.n_tokens)
        return _max_flows(steps, layer_list, query_list, progress)

    def value_weighted(self, head: Literal["each", "sum"] = "each") -> np.ndarray:
        """Attention weighted by the size of what each token sends (Kobayashi et al. 2020, "Attention is not only a
        weight"): ``‖α_ij^h · f^h(x_j)‖ = α_ij^h · ‖f^h(x_j)‖``.

        ``f^h(x_j) = (x_j W_V^h + b_V^h) W_O^h`` is token ``j``'s value vector transformed by head ``h``'s slice of
        the output projection, so that the layer's attention output at ``i`` is ``Σ_h Σ_j α_ij^h f^h(x_j)`` (plus the
        output bias). A head that attends strongly to a token whose transformed value is tiny (often [CLS], [SEP] or
        punctuation) moves little: the weight alone overstates it.

        Parameters
        ----------
        head : "each" or "sum"
            ``"each"``: per head, shape (n_layers, n_heads, n_tokens, n_tokens). ``"sum"``: the whole layer,
            ``‖Σ_h α_ij^h f^h(x_j)‖``, shape (n_layers, n_tokens, n_tokens) — the paper's ``‖α f(x)‖`` for a layer,
            computed from the heads' inner products ``value_products`` (not the sum of the per-head norms).

        Raises
        ------
        ValueError
            Without ``value_norms`` (or ``value_products`` for ``"sum"``): extract the maps with
            ``iw.attention(model, tokenizer, text)`` from a BERT-like, GPT-2-like or ``nn.MultiheadAttention`` model,
            or pass them to the constructor.
        """
        if head not in ("each", "sum"):
            raise ValueError(f"head must be 'each' or 'sum'; received {head!r}")
        needed = "value_norms" if head == "each" else "value_products"
        if getattr(self, needed) is None:
            raise ValueError(
                f"value_weighted(head={head!r}) needs {needed}, computed from the model's value and output "
                "projections; these maps have none. Extract them with iw.attention(model, tokenizer, text) from a "
                "BERT-like, GPT-2-like or nn.MultiheadAttention model, or pass "
                f"AttentionMaps(..., {needed}=...)"
            )
        if head == "each":
            return self.attentions * self.value_norms[:, :, None, :]
        return np.stack([_layer_output_norms(a, p) for a, p in zip(self.attentions, self.value_products, strict=True)])

    def gradient_weighted(self, target: Any = None) -> np.ndarray:
        """Attention times the gradient of a target with respect to it, ``α ⊙ ∂target/∂α`` (Hao et al. 2021, "Self-
        attention attribution"; the per-head term of Chefer et al. 2021's relevancy).

        The sign is kept: Chefer et al. keep the positive part and average the heads,
        ``np.clip(maps.gradient_weighted(), 0, None).mean(axis=1)``. Each target is computed once (a forward and a
        backward pass through the model) and cached.

        Parameters
        ----------
        target : int, callable or None
            A classifier: the class index (default: the predicted class). A causal language model: the token id
            whose logit at the last position is explained (default: the model's own next token). Any model:
            a callable ``outputs -> scalar tensor``. ``None``: the target given to :func:`interpretwidgets.attention`,
            else the default; a bare encoder without logits has none, pass a callable.

        Returns
        -------
        numpy.ndarray, shape (n_layers, n_heads, n_tokens, n_tokens)

        Raises
        ------
        ValueError
            Maps without a model (built from arrays or a cache) and without ``attention_gradients``: the gradients
            need the model; extract the maps with ``iw.attention(model, tokenizer, text)``.
        """
        if (
            target is not None
            and not callable(target)
            and (isinstance(target, bool) or not isinstance(target, int | np.integer))
        ):
            raise TypeError(f"target must be an int, a callable(outputs) -> scalar or None; received {target!r}")
        key = int(target) if isinstance(target, np.integer) else target
        if key not in self._gradients:
            if self._gradient_source is None:
                have = "precomputed gradients for the default target only; " if self._gradients else ""
                raise ValueError(
                    f"gradient_weighted(target={target!r}) needs the model: these maps hold {have}no model. Extract "
                    "them with iw.attention(model, tokenizer, text), or pass AttentionMaps(..., "
                    "attention_gradients=...) computed for that target"
                )
            gradients = finite_float_array("attention gradients", self._gradient_source(key))
            if gradients.shape != self.attentions.shape:
                raise ValueError(
                    f"attention gradients must have shape {self.attentions.shape}; received {gradients.shape}"
                )
            self._gradients[key] = gradients
        return self.attentions * self._gradients[key]

    @staticmethod
    def _indices(name: str, values: Sequence[int] | None, size: int) -> list[int]:
        if values is None:
            return list(range(size))
        if isinstance(values, int | np.integer) and not isinstance(values, bool):
            values = [values]
        picked = [int(v) for v in values if isinstance(v, int | np.integer) and not isinstance(v, bool)]
        if len(picked) != len(values) or not all(0 <= v < size for v in picked):
            raise ValueError(f"{name} must be indices in 0..{size - 1}; received {list(values)!r}")
        return sorted(set(picked))

    def __repr__(self) -> str:
        return (
            f"AttentionMaps(layers={self.n_layers}, heads={self.n_heads}, tokens={self.n_tokens}, "
            f"method={self.method!r})"
        )


def _layer_output_norms(weights: np.ndarray, products: np.ndarray) -> np.ndarray:
    """``‖Σ_h α^h_ij f^h_j‖`` for one layer, from ``weights`` (heads, n, n) and ``products`` (n, heads, heads).

    ``‖Σ_h α^h_ij f^h_j‖² = Σ_h Σ_g α^h_ij α^g_ij ⟨f^h_j, f^g_j⟩``, summed over the pairs h ≤ g (the products are
    symmetric): whole-matrix products, about twice as fast as one einsum over every (h, g).
    """
    dtype = np.result_type(weights.dtype, np.float32)
    alpha = weights.astype(dtype, copy=False)
    products = products.astype(dtype, copy=False)
    heads = len(alpha)
    squares = np.zeros(alpha.shape[1:], dtype=dtype)
    for h in range(heads):
        # Σ_{g ≥ h} α^g ⟨f^h, f^g⟩, the diagonal term halved, the whole doubled below
        partial = alpha[h] * (0.5 * products[:, h, h])
        for g in range(h + 1, heads):
            partial += alpha[g] * products[:, h, g]
        partial *= alpha[h]
        squares += partial
    squares *= 2
    return np.sqrt(np.clip(squares, 0, None, out=squares), out=squares)


def _optional_array(name: str, value: Any, shape: tuple[int, ...], axes: str) -> np.ndarray | None:
    if value is None:
        return None
    arr = finite_float_array(name, value)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {axes} = {shape}; received {arr.shape}")
    return arr


def _warn_unless_rows_sum_to_one(weights: np.ndarray) -> None:
    sums = np.stack([layer.sum(axis=-1, dtype=np.float64) for layer in weights])
    # a row of zeros is a query masked out entirely; causal and padding masks leave the others summing to 1
    bad = (np.abs(sums - 1) > ROW_SUM_TOLERANCE) & (sums != 0)
    if bad.any():
        layer, head, query = (int(i) for i in np.argwhere(bad)[0])
        warnings.warn(
            f"attention rows should sum to 1 (softmax weights); {int(bad.sum())} of {bad.size} do not, e.g. layer "
            f"{layer}, head {head}, query {query} sums to {sums[layer, head, query]:.4g}. Are these scores before the "
            "softmax, or weights of another kind? Rollout and flow normalise them; the raw views show them as given",
            UserWarning,
            stacklevel=3,
        )


def _max_flows(steps: np.ndarray, layers: list[int], queries: list[int], progress: bool | None) -> np.ndarray:
    """``flow[l, i, j]`` for ``l`` in ``layers``, ``i`` in ``queries``, every ``j``: one max-flow problem each."""
    from scipy.sparse.csgraph import maximum_flow
    from tqdm.auto import tqdm

    n_layers, n, _ = steps.shape
    out = np.full((n_layers, n, n), np.nan)
    problems = len(layers) * len(queries) * n
    show = problems >= FLOW_PROGRESS_PAIRS if progress is None else progress
    with tqdm(total=problems, desc="attention flow", unit="pair", disable=not show) as bar:
        for layer in layers:
            if layer == 0:  # one edge from each input to each token: the flow is its capacity, exactly
                out[0, queries] = steps[0, queries]
                bar.update(len(queries) * n)
                continue
            graph = _layered_graph(steps[: layer + 1])
            sink_base = (layer + 1) * n
            for query in queries:
                for key in range(n):
                    # source: token `key` before the first layer; sink: token `query` after `layer`
                    value = maximum_flow(graph, key, sink_base + query, method="dinic").flow_value
                    out[layer, query, key] = value / FLOW_SCALE
                bar.update(n)
    return out


def _layered_graph(steps: np.ndarray) -> Any:
    """The CSR capacity matrix of the layered graph through ``steps`` (nodes: layer-major, ``layer·n + token``)."""
    from scipy.sparse import csr_matrix

    n_layers, n, _ = steps.shape
    capacities = np.rint(steps * FLOW_SCALE).astype(np.int32)  # (layer, i, j): edge (layer, j) → (layer + 1, i)
    layer, query, key = np.nonzero(capacities)
    size = (n_layers + 1) * n
    return csr_matrix(
        (capacities[layer, query, key], (layer * n + key, (layer + 1) * n + query)), shape=(size, size), dtype=np.int32
    )
