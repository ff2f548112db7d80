"""Talking to a data widget's request server as the browser does, without a browser."""

from __future__ import annotations

from typing import Any


def sent(widget: Any) -> list[tuple[dict[str, Any], list[Any]]]:
    """The custom messages a data widget sends from now on (what the browser would receive)."""
    messages: list[tuple[dict[str, Any], list[Any]]] = []
    widget.send = lambda content, buffers=None: messages.append((content, list(buffers or [])))
    return messages


def ask(data: Any, kind: str, **params: Any) -> None:
    """Send one request and let the server answer it (and anything deferred) now."""
    data.requests.receive(data, {"iw": "request", "id": "r1", "kind": kind, "params": params}, [])
    data.requests.answer_all()
