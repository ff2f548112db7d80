"""TokenHeatmap: one text's token attributions on a diverging scale; a click selects a token."""

from __future__ import annotations

from typing import Any

import traitlets

from ._base import InvalidValue, static_file
from ._selection import mirror
from ._tabular import InstanceView


class TokenHeatmap(InstanceView):
    """A text's tokens coloured by their attribution (blue lowers the output, orange raises it), with the method
    and its completeness gap.

    Parameters
    ----------
    attribution : Attribution or data widget
        Token attributions (``iw.explain_text(...)``): ``values`` of shape (n_texts, max_tokens, n_outputs) with
        each text's tokens.
    instance : int
        The text shown; synced with the browser.
    output : int
        The output (class, or the target token of a language model) explained; synced with the browser.
    selection : Selection, optional
        A selection shared with other views: hovering a token highlights it in the attention views of the same
        selection, and a click sets ``token``.
    **kwargs
        Other synced traits (``token``, ``layout``, ``alternatives``); an unknown keyword raises ``TypeError``.

    Examples
    --------
    >>> iw.TokenHeatmap(iw.explain_text(model, tokenizer, ["A fine film."]))  # doctest: +SKIP
    """

    _esm = static_file("tokens.js")

    token = traitlets.Int(0, help="The selected token.").tag(sync=True)

    def __init__(self, attribution: Any, instance: int = 0, output: int = 0, **kwargs: Any) -> None:
        super().__init__(attribution, instance, output, **kwargs)
        if self.selection is not None:
            mirror(self, self.selection, ("token",))

    @traitlets.validate("token")
    def _valid_token(self, proposal: dict[str, Any]) -> int:
        if proposal["value"] < 0:
            raise InvalidValue(f"token must be at least 0; received {proposal['value']}")
        return proposal["value"]
