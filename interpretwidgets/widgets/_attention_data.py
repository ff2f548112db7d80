"""AttentionData: attention maps held in Python and sent to the browser one tile at a time, on request.

A text of 512 tokens through 6 layers × 12 heads is 19 million weights; BertViz and CircuitsVis write them all into
the page as JSON (hundreds of MB). Here a view asks for what it draws: one (layer, head) matrix as uint8 (256 KB at
512 tokens), or every head's thumbnail of one map kind, averaged down to at most ``THUMBNAIL`` × ``THUMBNAIL``
cells. Derived maps (rollout, flow, value- and gradient-weighted attention) are computed on their first request and
cached. Several texts (an explorer) are several instances: each is extracted on its first request.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import traitlets

from .._transfer import encode
from ..data import AttentionMaps
from ._base import DataWidget, PerInstance, SharedWidgets
from ._messages import RequestServer, index_param

__all__ = ["MAP_KINDS", "AttentionData", "downsample", "peaks"]

#: what a tile can show: one head, the mean of a layer's heads, and the maps derived from the weights
MAP_KINDS = ("head", "mean", "rollout", "value_weighted", "gradient_weighted", "flow")
#: map kinds whose values have a sign (drawn on a diverging scale whatever the signs of one tile)
SIGNED_KINDS = frozenset({"gradient_weighted"})
#: the longest side of a thumbnail, in cells
THUMBNAIL = 32
#: exact attention flow solves one maximum-flow problem per pair of tokens and layer (12 s at 64 tokens × 6 layers,
#: growing about as n⁴): past this many tokens a view's request is refused with what to do instead
FLOW_MAX_TOKENS = 64


class AttentionData(DataWidget):
    """The attention maps of one text (or of several, computed one at a time) for the views that show them.

    Parameters
    ----------
    maps : AttentionMaps or callable
        The maps of one text; or ``maps_for(instance) -> AttentionMaps`` for ``n_instances`` texts (every text
        through the same model: the same layers and heads), called on a view's first request for that text.
    n_instances : int
        How many texts ``maps_for`` can be asked for (only with a callable).
    n_layers, n_heads : int
        The model's shape (only with a callable, whose maps must match it).
    method : str
        Where the weights come from (only with a callable; one ``AttentionMaps`` says it itself).

    Notes
    -----
    Requests (``js/src/lib/attention-data.ts`` is the twin): ``text {instance}`` → tokens, special-token mask,
    warning; ``tile {instance, map, layer, head}`` → one (tokens × tokens) matrix as uint8 with its scale;
    ``thumbnails {instance, map}`` → (layers, heads or 1, t, t) uint8 colour levels, ``255·√(value ÷ the
    thumbnail's own maximum)``, with those maxima.
    """

    _repr_traits: ClassVar[tuple[str, ...]] = ("method", "n_instances", "n_layers", "n_heads")
    _shared: ClassVar[SharedWidgets[AttentionData]] = SharedWidgets()

    n_instances = traitlets.Int(1, help="How many texts.").tag(sync=True)
    n_layers = traitlets.Int(0).tag(sync=True)
    n_heads = traitlets.Int(0).tag(sync=True)
    method = traitlets.Unicode("attention").tag(sync=True)
    #: map kinds this data can show (value- and gradient-weighted attention need the model)
    kinds = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(
        self,
        maps: AttentionMaps | Callable[[int], AttentionMaps],
        *,
        n_instances: int | None = None,
        n_layers: int | None = None,
        n_heads: int | None = None,
        method: str = "attention",
        kinds: tuple[str, ...] | None = None,
        **kwargs: Any,
    ) -> None:
        #: the one AttentionMaps this data was made for (None for a callable)
        self._single = maps if isinstance(maps, AttentionMaps) else None
        if isinstance(maps, AttentionMaps):
            if n_instances not in (None, 1):
                raise ValueError(f"one AttentionMaps is one text; received n_instances={n_instances}")
            first = maps

            def maps_for(_instance: int) -> AttentionMaps:
                return first

            shape = {"n_instances": 1, "n_layers": first.n_layers, "n_heads": first.n_heads, "method": first.method}
            kinds = available_kinds(first)
        elif callable(maps):
            for name, value in (("n_instances", n_instances), ("n_layers", n_layers), ("n_heads", n_heads)):
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ValueError(f"with a callable, {name} must be a positive int; received {value!r}")
            maps_for = maps
            shape = {"n_instances": n_instances, "n_layers": n_layers, "n_heads": n_heads, "method": method}
            kinds = tuple(kinds or ("head", "mean", "rollout", "flow"))
        else:
            raise TypeError(
                f"AttentionData expected an interpretwidgets.AttentionMaps or a callable instance -> AttentionMaps; "
                f"received {type(maps).__name__}"
            )
        self._maps: PerInstance[AttentionMaps] = PerInstance(maps_for, lambda: self.n_instances, self._check_maps)
        self._derived: dict[tuple[int, str], np.ndarray] = {}
        super().__init__(**shape, kinds=list(kinds), **kwargs)
        handlers = {"text": self._text, "tile": self._tile, "thumbnails": self._thumbnails}
        self._server = RequestServer(self, handlers)

    @classmethod
    def of(cls, maps: AttentionMaps | AttentionData) -> AttentionData:
        """The data widget of ``maps``: the one made before for the same maps, or a new one."""
        if isinstance(maps, AttentionData):
            return maps
        if not isinstance(maps, AttentionMaps):
            raise TypeError(
                f"expected an interpretwidgets.AttentionMaps (from iw.attention(...)) or an AttentionData; received "
                f"{type(maps).__name__}"
            )
        return cls._shared.get(maps, lambda: cls(maps), lambda widget: widget._single)

    @property
    def requests(self) -> RequestServer:
        """The server answering the views' ``text``, ``tile`` and ``thumbnails`` requests."""
        return self._server

    @property
    def computed(self) -> tuple[int, ...]:
        """The texts whose maps a view has asked for so far."""
        return self._maps.computed

    def maps_for(self, instance: int) -> AttentionMaps:
        """The maps of text ``instance``: extracted on first use, then cached."""
        return self._maps.get(instance)

    def _check_maps(self, instance: int, maps: Any) -> None:
        if not isinstance(maps, AttentionMaps):
            raise TypeError(f"maps_for({instance}) must return an AttentionMaps; received {type(maps).__name__}")
        if (maps.n_layers, maps.n_heads) != (self.n_layers, self.n_heads):
            raise ValueError(
                f"maps_for({instance}) must return {self.n_layers} layers × {self.n_heads} heads; received "
                f"{maps.n_layers} × {maps.n_heads}"
            )

    def stack(self, instance: int, kind: str, target: int | None = None) -> np.ndarray:
        """Every matrix of one map kind: (layers, heads, n, n) for ``"head"``, (layers, n, n) for the others.
        ``target``: the output gradient-weighted attention explains (default: the model's own, e.g. the predicted
        class)."""
        if kind not in self.kinds:
            raise ValueError(f"map must be one of {', '.join(map(repr, self.kinds))}; received {kind!r}")
        maps = self.maps_for(instance)
        if kind == "head":
            return maps.attentions
        key = (instance, kind, target if kind == "gradient_weighted" else None)
        if key not in self._derived:
            self._derived[key] = _derive(maps, kind, key[2])
        return self._derived[key]

    def tile(self, instance: int, kind: str, layer: int, head: int, target: int | None = None) -> np.ndarray:
        """One (n, n) matrix: the head's weights for ``"head"``, else the layer's map of that kind."""
        from ..data import check_index

        check_index("layer", layer, self.n_layers)
        stack = self.stack(instance, kind, target)
        if kind == "head":
            return stack[layer, check_index("head", head, self.n_heads)]
        return stack[layer]

    def _text(self, params: dict[str, Any]) -> dict[str, Any]:
        instance = index_param(params, "instance", self.n_instances)
        maps = self.maps_for(instance)
        return {
            "instance": instance,
            "tokens": list(maps.tokens),
            "special": [bool(s) for s in maps.special],
            "warning": maps.warning,
            "method": maps.method,
        }

    def _tile(self, params: dict[str, Any]) -> dict[str, Any]:
        instance = index_param(params, "instance", self.n_instances)
        kind = str(params.get("map", "head"))
        layer = index_param(params, "layer", self.n_layers)
        head = index_param(params, "head", self.n_heads) if kind == "head" else 0
        matrix = self.tile(instance, kind, layer, head, _target(params))
        return {
            "instance": instance,
            "map": kind,
            "layer": layer,
            "head": head,
            "tile": encode(matrix, "uint8"),
            # the scale's end, sent as it is: a constant tile's quantisation step says nothing of it
            "peak": float(np.abs(matrix).max()),
            "signed": kind in SIGNED_KINDS,
        }

    def _thumbnails(self, params: dict[str, Any]) -> dict[str, Any]:
        instance = index_param(params, "instance", self.n_instances)
        kind = str(params.get("map", "head"))
        stack = self.stack(instance, kind, _target(params))
        if stack.ndim == 3:
            stack = stack[:, None]
        small = downsample(stack, THUMBNAIL)
        # each thumbnail on its own scale: a diffuse head next to a sharp one would otherwise look empty
        peak = np.abs(small).max(axis=(-2, -1), keepdims=True)
        scaled = np.divide(small, peak, out=np.zeros_like(small), where=peak > 0)
        signed = kind in SIGNED_KINDS
        # colour by the square root: at thumbnail size a head's few strong weights would hide the rest
        shaped = np.sign(scaled) * np.sqrt(np.abs(scaled))
        levels = np.rint((shaped + 1) * 127.5 if signed else shaped * 255).astype(np.uint8)
        return {
            "instance": instance,
            "map": kind,
            "signed": signed,
            "thumbnails": encode(levels, "uint8"),
            # the largest value of each full map (a thumbnail's cells are block means)
            "peaks": encode(peaks(stack), "float32"),
        }


def valid_map_kind(kind: Any, data: AttentionData | None = None) -> str:
    """Trait-validator check of a map kind: one of ``MAP_KINDS``, and one that ``data`` can give."""
    from ._base import InvalidValue

    if kind not in MAP_KINDS:
        raise InvalidValue(f"map_kind must be one of {', '.join(map(repr, MAP_KINDS))}; received {kind!r}")
    if data is not None and kind not in data.kinds:
        raise InvalidValue(
            f"these maps cannot give {kind!r} (they give {', '.join(map(repr, data.kinds))}); value- and "
            "gradient-weighted attention need the model: build the maps with iw.attention(model, tokenizer, text)"
        )
    return kind


def available_kinds(maps: AttentionMaps) -> tuple[str, ...]:
    """The map kinds ``maps`` can give: value-weighted attention needs the value vectors' norms, gradient-weighted
    attention the model (both kept by ``iw.attention``)."""
    kinds = ["head", "mean", "rollout"]
    if maps.value_products is not None:  # the layer's norm ‖Σ_h α f^h(x)‖, the map the views show
        kinds.append("value_weighted")
    if maps.has_gradients:
        kinds.append("gradient_weighted")
    kinds.append("flow")
    return tuple(kinds)


def _target(params: dict[str, Any]) -> int | None:
    """The output a request names for gradient-weighted attention (an explorer's selected class), if any."""
    target = params.get("output")
    if target is None:
        return None
    if isinstance(target, bool) or not isinstance(target, int) or target < 0:
        raise ValueError(f"output must be a class index (an int ≥ 0); received {target!r}")
    return target


def _derive(maps: AttentionMaps, kind: str, target: int | None = None) -> np.ndarray:
    """A layer-level map: (layers, n, n)."""
    if kind == "mean":
        return maps.fused("mean")
    if kind == "rollout":
        return maps.rollout()
    if kind == "flow":
        if maps.n_tokens > FLOW_MAX_TOKENS:
            problems = maps.n_tokens**2 * maps.n_layers
            raise ValueError(
                f"attention flow is exact: one maximum-flow problem per pair of tokens and layer, {problems:,} for "
                f"{maps.n_tokens} tokens × {maps.n_layers} layers (the views compute it up to {FLOW_MAX_TOKENS} "
                "tokens). Compute the rows you need in Python: maps.flow(queries=[0])"
            )
        return maps.flow()
    if kind == "value_weighted":
        return maps.value_weighted("sum")  # Kobayashi et al.'s norm of the whole layer's output
    if kind == "gradient_weighted":
        return maps.gradient_weighted(target).mean(axis=1)
    raise ValueError(f"unknown map kind {kind!r}")


def downsample(stack: np.ndarray, size: int) -> np.ndarray:
    """Average the last two axes down to at most ``size`` × ``size`` float32 cells (blocks of nearly equal size): a
    thumbnail keeps the mass of every weight, where picking every k-th one would drop most of them.

    The block means are ``P · A · Pᵀ`` with ``P`` the (size × n) averaging matrix: matrix products, one slice of the
    first axis at a time (a long text's float16 heads are never upcast all at once).
    """
    if stack.ndim == 2:
        return downsample(stack[None], size)[0]
    n = stack.shape[-1]
    if n <= size:
        return stack.astype(np.float32)
    edges = np.linspace(0, n, size + 1).round().astype(int)
    averaging = np.zeros((size, n), dtype=np.float32)
    for block, (start, stop) in enumerate(itertools.pairwise(edges)):
        averaging[block, start:stop] = 1 / (stop - start)
    out = np.empty((*stack.shape[:-2], size, size), dtype=np.float32)
    for index, part in enumerate(stack):
        out[index] = averaging @ part.astype(np.float32, copy=False) @ averaging.T
    return out


def peaks(stack: np.ndarray) -> np.ndarray:
    """The largest magnitude of each matrix in ``stack`` (…, n, n), one slice of the first axis at a time."""
    if stack.ndim == 2:
        return np.float32(np.abs(stack).max())
    return np.stack([np.abs(part).max(axis=(-2, -1)) for part in stack]).astype(np.float32)
