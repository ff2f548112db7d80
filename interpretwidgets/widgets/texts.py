"""TextList: the texts of an explorer, one per line; a click selects one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import traitlets
from ipywidgets import widget_serialization

from ._base import ViewWidget, static_file, valid_index
from ._selection import Selection, mirror


class TextList(ViewWidget):
    """The texts, each on one line with an optional label (e.g. the predicted class); click one to select it.

    Parameters
    ----------
    texts : sequence of str
        The texts.
    labels : sequence of str, optional
        One short label per text, shown after it.
    selection : Selection, optional
        A selection shared with other views: a click sets its ``instance``.
    """

    _esm = static_file("texts.js")
    _repr_traits: ClassVar[tuple[str, ...]] = ("instance",)

    texts = traitlets.List(traitlets.Unicode()).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    selection = traitlets.Instance(Selection, allow_none=True).tag(sync=True, **widget_serialization)
    instance = traitlets.Int(0, help="The selected text.").tag(sync=True)

    def __init__(
        self, texts: Sequence[str], labels: Sequence[str] = (), *, selection: Selection | None = None, **kwargs: Any
    ) -> None:
        texts = [str(t) for t in texts]
        if labels and len(labels) != len(texts):
            raise ValueError(f"labels must have one entry per text ({len(texts)}); received {len(labels)}")
        super().__init__(texts=texts, labels=[str(label) for label in labels], selection=selection, **kwargs)
        if selection is not None:
            mirror(self, selection, ("instance",))

    @traitlets.validate("instance")
    def _valid_instance(self, proposal: dict[str, Any]) -> int:
        return valid_index("instance", proposal["value"], max(1, len(self.texts)))
