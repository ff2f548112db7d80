"""The shared selection: one widget, read and written by every view of an explorer, in the browser."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import ipywidgets
import traitlets

from ._base import DataWidget, InvalidValue, valid_index

#: the selection's index traits, shared by name with every view (so that ``ipywidgets.link``/``jslink`` work too)
INDEX_KEYS = ("instance", "output", "feature", "layer", "head", "token")


class Selection(DataWidget):
    """What is selected: one instance, output, feature, layer, head, token, method and attention map, for many
    views.

    Views that reference a selection read and write it in the browser: a click is one state update to the kernel
    and every view follows without a Python round trip. Python observes and sets it like any widget.

    Parameters
    ----------
    limits : mapping of str to int, optional
        Exclusive upper bounds of the index traits (``{"instance": n_instances, "output": n_outputs, ...}``); an
        index outside its bound is refused with a ``ValueError``. Traits without a bound must be ≥ 0.
    **values
        Initial values of the traits.
    """

    _repr_traits: ClassVar[tuple[str, ...]] = ("instance", "output", "feature", "method")

    instance = traitlets.Int(0, help="The selected instance (row, text, image).").tag(sync=True)
    output = traitlets.Int(0, help="The selected output (class).").tag(sync=True)
    feature = traitlets.Int(0, help="The selected feature (column).").tag(sync=True)
    layer = traitlets.Int(0, help="The selected layer.").tag(sync=True)
    head = traitlets.Int(0, help="The selected attention head.").tag(sync=True)
    token = traitlets.Int(0, help="The selected token.").tag(sync=True)
    method = traitlets.Unicode("", help="The attribution method shown by the views that follow it.").tag(sync=True)
    map_kind = traitlets.Unicode(
        "head", help="The attention map shown: 'head', 'mean' (of the layer's heads), or a derived map."
    ).tag(sync=True)

    def __init__(self, *, limits: Mapping[str, int] | None = None, **values: Any) -> None:
        self._limits: dict[str, int] = {}
        self._map_kinds: tuple[str, ...] | None = None
        self._methods: tuple[str, ...] | None = None
        super().__init__()
        self.limits = dict(limits or {})
        for name, value in values.items():
            if name not in (*INDEX_KEYS, "method", "map_kind"):
                self._check_keywords({name: value})
            setattr(self, name, value)

    @property
    def limits(self) -> dict[str, int]:
        """Exclusive upper bounds of the index traits."""
        return dict(self._limits)

    @limits.setter
    def limits(self, limits: Mapping[str, int]) -> None:
        unknown = sorted(set(limits) - set(INDEX_KEYS))
        if unknown:
            raise ValueError(f"limits may bound {', '.join(INDEX_KEYS)}; received {', '.join(unknown)}")
        self._limits = {name: int(size) for name, size in limits.items()}
        with self.hold_sync():
            for name, size in self._limits.items():  # clamp what the new bounds exclude
                if getattr(self, name) >= size:
                    setattr(self, name, max(0, size - 1))

    @property
    def map_kinds(self) -> tuple[str, ...] | None:
        """The attention map kinds every attention view of this selection can show (None: any)."""
        return self._map_kinds

    @map_kinds.setter
    def map_kinds(self, kinds: Iterable[str]) -> None:
        self._map_kinds = tuple(kinds)
        if self.map_kind not in self._map_kinds:
            self.map_kind = "head"

    @property
    def methods(self) -> tuple[str, ...] | None:
        """The methods the views of this selection can show (None: any name)."""
        return self._methods

    @methods.setter
    def methods(self, methods: Iterable[str]) -> None:
        self._methods = tuple(methods)
        if self.method and self.method not in self._methods:
            self.method = self._methods[0] if self._methods else ""

    @traitlets.validate("method")
    def _valid_method(self, proposal: dict[str, Any]) -> str:
        method = proposal["value"]
        if self._methods is not None and method and method not in self._methods:
            shown = ", ".join(map(repr, self._methods))
            raise InvalidValue(f"method must be one that these views can show ({shown}); received {method!r}")
        return method

    @traitlets.validate("map_kind")
    def _valid_map_kind(self, proposal: dict[str, Any]) -> str:
        from ._attention_data import valid_map_kind

        kind = valid_map_kind(proposal["value"])
        if self._map_kinds is not None and kind not in self._map_kinds:
            shown = ", ".join(map(repr, self._map_kinds))
            raise InvalidValue(f"map_kind must be one that these views can show ({shown}); received {kind!r}")
        return kind

    @traitlets.validate(*INDEX_KEYS)
    def _valid_index(self, proposal: dict[str, Any]) -> int:
        name, value = proposal["trait"].name, proposal["value"]
        if name in self._limits:
            return valid_index(name, value, self._limits[name])
        if value < 0:
            raise InvalidValue(f"{name} must be at least 0; received {value}")
        return value


def mirror(widget: ipywidgets.Widget, selection: Selection, names: Iterable[str]) -> None:
    """Keep ``widget``'s own selection traits equal to ``selection``'s, in Python only.

    A view that references a shared selection reads it in the browser; its own traits are mirrored here so that
    ``view.instance`` and observers of it keep working. The browser already has the value through the selection,
    so the mirror sends nothing; setting ``view.instance`` from Python sets the selection.
    """
    names = [n for n in names if n in widget.traits()]

    def from_selection(change: dict[str, Any]) -> None:
        name, value = change["name"], change["new"]
        if getattr(widget, name) != value:
            with widget._lock_property(**{name: value}):  # ipywidgets' own no-echo lock
                widget.set_trait(name, value)

    def to_selection(change: dict[str, Any]) -> None:
        name, value = change["name"], change["new"]
        if getattr(selection, name) != value:
            setattr(selection, name, value)

    for name in names:
        if getattr(widget, name) != getattr(selection, name):
            from_selection({"name": name, "new": getattr(selection, name)})
    selection.observe(from_selection, names)
    widget.observe(to_selection, names)


def bind(selection: Selection, limits: Mapping[str, int], chosen: Mapping[str, Any]) -> None:
    """Bound ``selection`` by what a view's data can show (a bound only ever tightens: several views of different
    data share it), so that a value out of range is refused in Python before the browser asks for it; then apply
    what the view was given beside the selection (``layer=2``, ``instance=3``)."""
    bounds = selection.limits
    for name, size in limits.items():
        bounds[name] = min(size, bounds.get(name, size))
    selection.limits = bounds
    with selection.hold_sync():
        for name, value in chosen.items():
            setattr(selection, name, value)
