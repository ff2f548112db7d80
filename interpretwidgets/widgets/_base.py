"""What every view shares: strict keyword arguments, a cheap repr, binary array traits and the error trait."""

from __future__ import annotations

import pathlib
from typing import Any, ClassVar

import anywidget
import numpy as np
import traitlets

from .._transfer import WireDType, serializers
from ..explanation import check_index

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"


def static_file(name: str) -> pathlib.Path:
    """Path of a built front-end file; a clear error when the JavaScript was never built."""
    path = STATIC / name
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: the front-end bundles are built at install time. "
            "Run `pip install -e .` in the repository (it runs `npm run build` in js/)."
        )
    return path


def array_trait(dtype: WireDType = "float32") -> traitlets.TraitType:
    """A synced numpy trait that travels as ``dtype`` bytes (see ``_transfer``)."""
    return traitlets.Instance(np.ndarray, allow_none=True).tag(sync=True, **serializers(dtype))


def check_keywords(owner: str, kwargs: dict[str, Any], valid: list[str]) -> None:
    """``TypeError`` naming the unknown keyword arguments and listing the valid ones."""
    unknown = sorted(set(kwargs) - set(valid))
    if unknown:
        raise TypeError(
            f"{owner} got unexpected keyword argument(s) {', '.join(unknown)}; valid keywords are: {', '.join(valid)}"
        )


class InvalidValue(traitlets.TraitError, ValueError):
    """A trait value out of range: a ``ValueError`` for users, a ``TraitError`` so traitlets rolls it back."""


def valid_index(name: str, value: Any, size: int) -> int:
    """Trait-validator form of :func:`~interpretwidgets.explanation.check_index`."""
    try:
        return check_index(name, value, size)
    except ValueError as exc:
        raise InvalidValue(str(exc)) from None


def at_least(name: str, value: int, minimum: int) -> int:
    """Trait-validator check that ``value >= minimum``."""
    if value < minimum:
        raise InvalidValue(f"{name} must be at least {minimum}; received {value}")
    return value


class ViewWidget(anywidget.AnyWidget):
    """Base class of the views.

    Unknown keyword arguments raise ``TypeError`` naming the valid ones; ``repr`` never serialises the data;
    a bad value arriving from the browser is shown in the view through the synced ``error`` trait instead of
    raising inside the kernel's message handler.
    """

    _css = STATIC / "styles.css"
    #: Traits shown by ``repr`` (small ones only).
    _repr_traits: ClassVar[tuple[str, ...]] = ()

    error = traitlets.Unicode("", help="A message the view shows in place of the plot.").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        check_keywords(type(self).__name__, kwargs, self.valid_keywords())
        super().__init__(**kwargs)

    @classmethod
    def valid_keywords(cls) -> list[str]:
        """Keyword arguments the constructor accepts: public synced traits plus the constructor's own."""
        import inspect

        own = [
            p.name
            for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]
        traits = [n for n in cls.class_trait_names(sync=lambda v: v) if not n.startswith("_")]
        return sorted(set(own) | set(traits))

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply state sent by the browser; a rejected value becomes the view's ``error``, not a traceback."""
        try:
            super().set_state(sync_data)
        except (traitlets.TraitError, ValueError, TypeError) as exc:
            self.error = f"{type(self).__name__} rejected a value from the browser: {exc}"
            self.send_state([name for name in sync_data if name in self.keys])
        else:
            if self.error and "error" not in sync_data:
                self.error = ""

    def __repr__(self) -> str:
        parts = [f"{name}={getattr(self, name)!r}" for name in self._repr_traits]
        return f"{type(self).__name__}({', '.join(parts)})"
