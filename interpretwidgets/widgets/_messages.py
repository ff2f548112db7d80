"""Requests from the browser, answered in Python: the one request/response channel (twin: js/src/lib/requests.ts).

Protocol, as custom widget messages::

    browser → Python   {"iw": "request", "id": str, "kind": str, "params": {...}}
                       {"iw": "cancel", "id": str}
    Python → browser   {"iw": "reply", "id": str, "content": {...}}   + binary buffers (``_transfer.pack``)
                       {"iw": "error", "id": str, "error": str, "type": str}

Heavy work (clustering, LIME for one instance, an interaction search, later an attention tile) is a request,
never a trait observer. Answers are deferred by a few milliseconds and given one at a time, so that the kernel
reads the messages queued behind a request first: a request the browser has cancelled in the meantime (a newer
one replaced it, or its view was closed) is never computed. Quick answers go out together, up to ``BATCH_S`` of work
per deferral. The browser drops any reply it no longer waits for.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets

from .._transfer import pack
from ..data import check_index

Handler = Callable[[dict[str, Any]], dict[str, Any]]

#: seconds an answer waits, so that the messages queued behind its request are read first (with ipykernel 7 a
#: callback scheduled with no delay runs before the kernel reads the next message)
DEFER_S = 0.03
#: seconds of answering after which the rest waits for another deferral (a cancel read in between skips its work)
BATCH_S = 0.02

log = logging.getLogger(__name__)


class RequestServer:
    """Answer one widget's requests with ``handlers[kind](params) -> content``.

    A handler's content is JSON plus binary payloads made by ``_transfer.encode``; the payloads' bytes travel as
    the message's buffers. A ``ValueError``, ``TypeError`` or ``KeyError`` from a handler becomes an error reply
    whose text the view shows; any other exception too, with its type, and is logged with its traceback. The
    kernel never sees an exception from a request.

    Parameters
    ----------
    widget : ipywidgets.Widget
        The widget whose custom messages carry the requests.
    handlers : mapping of str to callable
        One handler per request kind.
    """

    def __init__(self, widget: ipywidgets.Widget, handlers: Mapping[str, Handler]) -> None:
        self._widget = widget
        self._handlers = dict(handlers)
        self._pending: dict[str, tuple[str, dict[str, Any]]] = {}
        self._timer: asyncio.TimerHandle | None = None
        #: counts for tests and benchmarks: answered (replies and errors) and cancelled before being computed
        self.answered = 0
        self.cancelled = 0
        widget.on_msg(self.receive)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The request kinds this server answers."""
        return tuple(self._handlers)

    @property
    def pending(self) -> tuple[str, ...]:
        """Ids of the requests received and not yet answered, oldest first."""
        return tuple(self._pending)

    def receive(self, widget: Any, content: Any, buffers: Any) -> None:
        """The widget's custom-message callback: queue a request, or drop a cancelled one."""
        if not isinstance(content, dict) or content.get("iw") not in ("request", "cancel"):
            return  # another protocol's message (e.g. bqplot's own events)
        request_id = content.get("id")
        if not isinstance(request_id, str) or not request_id:
            log.warning("ignored a %s message without an id: %r", content["iw"], content)
            return
        if content["iw"] == "cancel":
            if self._pending.pop(request_id, None) is not None:
                self.cancelled += 1
            return
        kind, params = content.get("kind"), content.get("params", {})
        if kind not in self._handlers:
            known = ", ".join(self._handlers) or "nothing"
            self._send_error(request_id, "ValueError", f"unknown request kind {kind!r}; this widget answers: {known}")
            return
        if not isinstance(params, dict):
            self._send_error(request_id, "TypeError", f"params must be an object; received {type(params).__name__}")
            return
        self._pending[request_id] = (kind, params)
        self._schedule()

    def answer_next(self) -> bool:
        """Answer the oldest pending request; False when there was none."""
        if not self._pending:
            return False
        request_id = next(iter(self._pending))
        kind, params = self._pending.pop(request_id)
        try:
            content = self._handlers[kind](params)
        except (ValueError, TypeError, KeyError) as exc:
            self._send_error(request_id, type(exc).__name__, _message(exc))
        except Exception as exc:
            log.exception("request %r failed", kind)
            self._send_error(request_id, type(exc).__name__, f"{type(exc).__name__}: {_message(exc)}")
        else:
            json_content, buffers = pack(content)
            self._widget.send({"iw": "reply", "id": request_id, "content": json_content}, buffers)
            self.answered += 1
        return True

    def answer_all(self) -> None:
        """Answer every pending request now (what the deferred answers amount to once the kernel is idle)."""
        while self.answer_next():
            pass

    def _schedule(self) -> None:
        if self._timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (plain Python): nothing can queue behind this request
            self.answer_all()
            return
        self._timer = loop.call_later(DEFER_S, self._answer_deferred)

    def _answer_deferred(self) -> None:
        self._timer = None
        # Quick answers go out together (a view's first paint asks for several things at once: one deferral each
        # would add up); after BATCH_S of work the kernel reads its queue again (cancels, newer requests) before
        # answering the rest.
        start = time.perf_counter()
        while self._pending and time.perf_counter() - start < BATCH_S:
            self.answer_next()
        if self._pending:
            self._schedule()

    def _send_error(self, request_id: str, kind: str, message: str) -> None:
        self._widget.send({"iw": "error", "id": request_id, "error": message, "type": kind})
        self.answered += 1


def index_param(params: Mapping[str, Any], name: str, size: int) -> int:
    """An index parameter of a request, validated like a selection (``ValueError``/``TypeError`` name it)."""
    if name not in params:
        raise KeyError(f"the request needs the parameter {name!r}")
    return check_index(name, params[name], size)


def _message(exc: BaseException) -> str:
    # KeyError's str() is the repr of its argument; show the text itself
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
