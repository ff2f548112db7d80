"""AttentionView and AttentionGrid: one text's attention, head by head, linked by layer, head and token.

Both say, in the view, that attention weights are not importances, beside a one-click switch to a gradient-based
map of the same text.
"""

from __future__ import annotations

from typing import Any, ClassVar

import traitlets
from ipywidgets import widget_serialization

from ..data import AttentionMaps
from ._attention_data import AttentionData, valid_map_kind
from ._base import InvalidValue, ViewWidget, static_file, valid_index
from ._selection import Selection, bind, mirror

__all__ = ["AttentionGrid", "AttentionView"]

#: the selection traits an attention view reads
SELECTION_TRAITS = ("instance", "layer", "head", "token", "map_kind")


class AttentionViewBase(ViewWidget):
    """What both attention views share: their data widget, the selection, and the traits that link them."""

    _repr_traits: ClassVar[tuple[str, ...]] = ("data", "layer", "head", "map_kind")
    _not_keywords: ClassVar[tuple[str, ...]] = ("error", "data")

    data = traitlets.Instance(AttentionData, help="The attention shown (a data widget).").tag(
        sync=True, **widget_serialization
    )
    selection = traitlets.Instance(Selection, allow_none=True, help="A selection shared with other views.").tag(
        sync=True, **widget_serialization
    )
    instance = traitlets.Int(0, help="The text shown (for data of several texts).").tag(sync=True)
    layer = traitlets.Int(0, help="The selected layer.").tag(sync=True)
    head = traitlets.Int(0, help="The selected head.").tag(sync=True)
    token = traitlets.Int(0, help="The selected token.").tag(sync=True)
    map_kind = traitlets.Unicode("head", help="'head', 'mean' (of the layer's heads), or a derived map.").tag(sync=True)
    gradient_method = traitlets.Unicode(
        "", help="In an explorer: the gradient-based token attribution the caveat's switch selects."
    ).tag(sync=True)

    def __init__(
        self,
        maps: AttentionMaps | AttentionData,
        *,
        selection: Selection | None = None,
        **kwargs: Any,
    ) -> None:
        self._check_keywords(kwargs)
        data = AttentionData.of(maps)
        if selection is not None and not isinstance(selection, Selection):
            raise TypeError(f"selection must be an interpretwidgets Selection; received {type(selection).__name__}")
        self._data_for_checks = data
        valid_index("instance", kwargs.get("instance", 0), data.n_instances)
        valid_index("layer", kwargs.get("layer", 0), data.n_layers)
        valid_index("head", kwargs.get("head", 0), data.n_heads)
        valid_map_kind(kwargs.get("map_kind", "head"), data)
        if selection is not None:
            _bind(selection, data, {name: kwargs.pop(name) for name in SELECTION_TRAITS if name in kwargs})
            kwargs.update({name: getattr(selection, name) for name in SELECTION_TRAITS})
        super().__init__(data=data, selection=selection, **kwargs)
        if selection is not None:
            mirror(self, selection, SELECTION_TRAITS)

    @property
    def maps(self) -> AttentionMaps:
        """The maps of the text shown."""
        return self.data.maps_for(self.instance)

    def _source(self) -> AttentionData:
        # while the constructor runs, `data` is not set yet: the validators read what it was given
        return self._trait_values.get("data") or self._data_for_checks

    @traitlets.validate("instance")
    def _valid_instance(self, proposal: dict[str, Any]) -> int:
        return valid_index("instance", proposal["value"], self._source().n_instances)

    @traitlets.validate("layer")
    def _valid_layer(self, proposal: dict[str, Any]) -> int:
        return valid_index("layer", proposal["value"], self._source().n_layers)

    @traitlets.validate("head")
    def _valid_head(self, proposal: dict[str, Any]) -> int:
        return valid_index("head", proposal["value"], self._source().n_heads)

    @traitlets.validate("token")
    def _valid_token(self, proposal: dict[str, Any]) -> int:
        if proposal["value"] < 0:
            raise InvalidValue(f"token must be at least 0; received {proposal['value']}")
        return proposal["value"]

    @traitlets.validate("map_kind")
    def _valid_map_kind(self, proposal: dict[str, Any]) -> str:
        return valid_map_kind(proposal["value"], self._source())


class AttentionView(AttentionViewBase):
    """One head's attention (or a layer's map) as lines from each token to the tokens it attends to, or as a matrix.

    Parameters
    ----------
    maps : AttentionMaps or AttentionData
        The attention of one text (``iw.attention(model, tokenizer, text)``), or a data widget shared with other views.
    layer, head : int
        What is shown first; synced with the browser (the view's pickers, a linked grid).
    mode : "lines" or "matrix"
        Lines from left tokens (queries) to right tokens (keys), opacity by weight; or the matrix on a canvas.
        By default lines up to 64 tokens, the matrix beyond.
    map_kind : str
        ``"head"`` (one head), ``"mean"`` (the mean of the layer's heads), ``"rollout"``, ``"flow"``,
        ``"value_weighted"`` or ``"gradient_weighted"`` (those the maps can give: see ``data.kinds``).
    selection : Selection, optional
        A selection shared with other views (an explorer's): the view then reads and writes it.

    Examples
    --------
    >>> maps = iw.attention(model, tokenizer, "The cat sat on the mat.")  # doctest: +SKIP
    >>> iw.AttentionView(maps, layer=2, head=5)  # doctest: +SKIP
    """

    _esm = static_file("attention.js")

    mode = traitlets.Unicode("", help="'lines' or 'matrix'; empty: lines up to 64 tokens.").tag(sync=True)

    @traitlets.validate("mode")
    def _valid_mode(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in ("", "lines", "matrix"):
            raise InvalidValue(f"mode must be 'lines' or 'matrix'; received {proposal['value']!r}")
        return proposal["value"]


class AttentionGrid(AttentionViewBase):
    """Every layer × head as a thumbnail, with rows for the maps derived from them; a click selects one.

    Parameters
    ----------
    maps : AttentionMaps or AttentionData
        The attention of one text, or a data widget shared with other views.
    selection : Selection, optional
        A selection shared with other views: a click sets its ``layer``, ``head`` and ``map_kind``.

    Notes
    -----
    The rows under the heads show, one thumbnail per layer: the mean of the heads, attention rollout, value-weighted
    attention (when the maps carry the value norms) and, on request (they cost a backward pass or a maximum flow
    per pair of tokens), gradient-weighted attention and attention flow.
    """

    _esm = static_file("attention-grid.js")


def _bind(selection: Selection, data: AttentionData, chosen: dict[str, Any]) -> None:
    """Bound ``selection`` by what ``data`` can show, its map kinds included, and apply what the view was given."""
    shown = selection.map_kinds
    selection.map_kinds = data.kinds if shown is None else [kind for kind in shown if kind in data.kinds]
    bind(selection, {"instance": data.n_instances, "layer": data.n_layers, "head": data.n_heads}, chosen)
