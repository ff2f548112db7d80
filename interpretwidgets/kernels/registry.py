"""Methods registered by name: one function per method, one signature per domain (as captum's attr/ is one class
per method). ``explain_tabular(method=...)`` and, later, ``explain_text``/``explain_image`` look methods up here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Method(Generic[Task, Result]):
    """One registered method: its name, what it needs, and the function that computes it."""

    name: str
    compute: Callable[[Task], Result]
    #: the kind of model it explains, checked before any work ("any", "torch", "tree"...)
    model: str
    summary: str


class Registry(Generic[Task, Result]):
    """The methods of one domain (tabular, text, image), looked up by name.

    Examples
    --------
    >>> TABULAR = Registry("tabular")  # doctest: +SKIP
    >>> @TABULAR.register("tree", model="tree", summary="shap.TreeExplainer")  # doctest: +SKIP
    ... def tree(task: TabularTask) -> Attribution: ...
    """

    def __init__(self, domain: str) -> None:
        self.domain = domain
        self._methods: dict[str, Method[Task, Result]] = {}

    def register(
        self, name: str, *, model: str = "any", summary: str
    ) -> Callable[[Callable[[Task], Result]], Callable[[Task], Result]]:
        """Decorator registering ``compute(task) -> result`` as method ``name``."""

        def add(compute: Callable[[Task], Result]) -> Callable[[Task], Result]:
            if name in self._methods:
                raise ValueError(f"{self.domain} method {name!r} is registered twice")
            self._methods[name] = Method(name, compute, model, summary)
            return compute

        return add

    def get(self, name: object) -> Method[Task, Result]:
        """The method called ``name``; ``ValueError`` listing the registered ones otherwise."""
        method = self._methods.get(name) if isinstance(name, str) else None
        if method is None:
            raise ValueError(
                f"{self.domain} method must be one of {', '.join(repr(m) for m in self._methods)}; received {name!r}"
            )
        return method

    def names(self) -> tuple[str, ...]:
        """Registered method names, in registration order."""
        return tuple(self._methods)

    def __iter__(self) -> Iterator[Method[Task, Result]]:
        return iter(self._methods.values())

    def __contains__(self, name: object) -> bool:
        return name in self._methods
