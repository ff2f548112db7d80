"""What every widget shares: strict keyword arguments, a cheap repr, binary array traits; views add the error trait."""

from __future__ import annotations

import inspect
import pathlib
import weakref
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

import anywidget
import ipywidgets
import traitlets

from .._transfer import WireDType, serializers
from ..data import check_index

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"
#: keyword arguments of ipywidgets' own that our widgets accept too
_IPYWIDGETS_KEYWORDS = ("layout",)


def static_file(name: str) -> pathlib.Path:
    """Path of a built front-end file; a clear error when the JavaScript was never built."""
    path = STATIC / name
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: the front-end bundles are built at install time. "
            "Run `pip install -e .` in the repository (it runs `npm run build` in js/)."
        )
    return path


class _ArrayTrait(traitlets.Instance):  # type: ignore[type-arg]
    """An ndarray trait that tells a change by identity. traitlets compares old and new values with ``==``, which on
    an array compares every element (a tenth of a second for 100,000 × 30) only to find the answer ambiguous."""

    def set(self, obj: traitlets.HasTraits, value: Any) -> None:
        new_value = self._validate(obj, value)
        old_value = obj._trait_values.get(self.name, self.default_value)
        obj._trait_values[self.name] = new_value
        if old_value is not new_value:
            obj._notify_trait(self.name, old_value, new_value)


def array_trait(dtype: WireDType | Callable[[Any], WireDType] = "float32") -> traitlets.TraitType:
    """A synced numpy trait that travels as ``dtype`` bytes (see ``_transfer``); ``dtype`` may be a function of the
    widget, for a precision chosen per value."""
    import numpy as np

    return _ArrayTrait(np.ndarray, allow_none=True).tag(sync=True, **serializers(dtype))


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
    """Trait-validator form of :func:`~interpretwidgets.data.check_index`."""
    try:
        return check_index(name, value, size)
    except ValueError as exc:
        raise InvalidValue(str(exc)) from None


def at_least(name: str, value: int, minimum: int) -> int:
    """Trait-validator check that ``value >= minimum``."""
    if value < minimum:
        raise InvalidValue(f"{name} must be at least {minimum}; received {value}")
    return value


class Strict:
    """Mixin for our widgets: an unknown keyword raises ``TypeError`` naming the valid ones (ours, not
    ipywidgets' internals), and ``repr`` shows a few small traits without serialising any data."""

    #: traits shown by ``repr`` (small ones only)
    _repr_traits: ClassVar[tuple[str, ...]] = ()
    #: synced traits the constructor sets itself, not keyword arguments
    _not_keywords: ClassVar[tuple[str, ...]] = ("error",)

    @classmethod
    def valid_keywords(cls) -> list[str]:
        """Keyword arguments the constructor accepts: our public synced traits, the constructor's own, layout."""
        own = [
            p.name
            for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]
        ours = {
            name
            for klass in cls.__mro__
            if klass.__module__.startswith("interpretwidgets.")
            for name, trait in vars(klass).items()
            if isinstance(trait, traitlets.TraitType) and trait.metadata.get("sync") and not name.startswith("_")
        }
        return sorted((set(own) | ours | set(_IPYWIDGETS_KEYWORDS)) - set(cls._not_keywords))

    def _check_keywords(self, kwargs: dict[str, Any]) -> None:
        check_keywords(type(self).__name__, kwargs, self.valid_keywords())

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply state sent by the browser. A value Python refuses is rolled back in the browser too, and reported
        by ``_refused`` (a view shows it); the kernel's message handler never raises."""
        try:
            super().set_state(sync_data)  # type: ignore[misc]
        except (traitlets.TraitError, ValueError, TypeError) as exc:
            self._refused(exc)
            self.send_state([name for name in sync_data if name in self.keys])  # type: ignore[attr-defined]
        else:
            self._accepted(sync_data)

    def _refused(self, exc: Exception) -> None:
        """A value from the browser was refused (rolled back already)."""

    def _accepted(self, sync_data: dict[str, Any]) -> None:
        """State from the browser was applied."""

    def __repr__(self) -> str:
        parts = [f"{name}={getattr(self, name)!r}" for name in self._repr_traits]
        return f"{type(self).__name__}({', '.join(parts)})"


class DataWidget(Strict, ipywidgets.Widget):
    """A widget with no view of its own: state that views reference (``widget_serialization``) and share.

    Its front-end model is ipywidgets' plain ``WidgetModel``; views resolve it and read its traits.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._check_keywords(kwargs)
        super().__init__(**kwargs)


class ViewWidget(Strict, anywidget.AnyWidget):
    """Base class of the views.

    A bad value arriving from the browser is shown in the view through the synced ``error`` trait instead of
    raising inside the kernel's message handler.
    """

    _css = STATIC / "styles.css"

    error = traitlets.Unicode("", help="A message the view shows in place of the plot.").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        # the traits a subclass's constructor sets itself are not the user's keywords
        self._check_keywords({k: v for k, v in kwargs.items() if k not in self._not_keywords})
        super().__init__(**kwargs)

    def _refused(self, exc: Exception) -> None:
        self.error = f"{type(self).__name__} rejected a value from the browser: {exc}"

    def _accepted(self, sync_data: dict[str, Any]) -> None:
        if self.error and "error" not in sync_data:
            self.error = ""


Result = TypeVar("Result")


class PerInstance(Generic[Result]):
    """Results computed one instance at a time, on first use (a view's request), checked once, then kept.

    Parameters
    ----------
    compute : callable
        ``compute(instance) -> result``.
    count : callable
        The number of instances (read when asked: a data widget's trait).
    check : callable
        ``check(instance, result)`` raises when the result does not fit the data widget.
    """

    def __init__(
        self, compute: Callable[[int], Result], count: Callable[[], int], check: Callable[[int, Any], None]
    ) -> None:
        self._compute = compute
        self._count = count
        self._check = check
        self._results: dict[int, Result] = {}

    @property
    def computed(self) -> tuple[int, ...]:
        """The instances computed so far, in the order they were asked for."""
        return tuple(self._results)

    def get(self, instance: int) -> Result:
        check_index("instance", instance, self._count())
        if instance not in self._results:
            result = self._compute(instance)
            self._check(instance, result)
            self._results[instance] = result
        return self._results[instance]


Shared = TypeVar("Shared", bound=ipywidgets.Widget)


class SharedWidgets(Generic[Shared]):
    """The data widget made for each object (an Attribution, AttentionMaps), reused while it is open, so that views
    of one object share one copy in the browser.

    Kept by the object's id with a weak reference to the widget: the widget holds its object, so a mapping from the
    object to the widget (a WeakKeyDictionary) would keep both alive for ever.
    """

    def __init__(self) -> None:
        self._widgets: dict[int, weakref.ref[Shared]] = {}

    def get(self, key: object, make: Callable[[], Shared], holds: Callable[[Shared], object]) -> Shared:
        """The open widget made for ``key`` (``holds(widget) is key``), or a new one from ``make``."""
        ref = self._widgets.get(id(key))
        widget = ref() if ref is not None else None
        if widget is None or widget.comm is None or holds(widget) is not key:
            widget = make()
            self._widgets = {k: r for k, r in self._widgets.items() if r() is not None}
            self._widgets[id(key)] = weakref.ref(widget)
        return widget
