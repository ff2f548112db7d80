"""The request/response channel in Python: replies with binary buffers, error replies, cancel, deferred answers."""

from __future__ import annotations

import asyncio
import threading

import ipywidgets
import numpy as np
import pytest

from interpretwidgets._transfer import BUFFER_KEY, decode, encode, pack, unpack
from interpretwidgets.widgets._messages import DEFER_S, RequestServer, index_param


class Recorder(ipywidgets.Widget):
    """A plain widget whose outgoing custom messages are kept (what the browser would receive)."""

    def send(self, content, buffers=None):
        self.sent = [*getattr(self, "sent", []), (content, list(buffers or []))]


def request(server, widget, rid, kind, **params):
    server.receive(widget, {"iw": "request", "id": rid, "kind": kind, "params": params}, [])
    server.answer_all()  # what the deferred answer does once the kernel has read its queue


def in_a_thread_of_its_own(work):
    """Run ``work`` where no event loop runs yet (this test session's browser driver keeps one in the main thread)."""
    failure = []
    thread = threading.Thread(target=lambda: _catch(work, failure))
    thread.start()
    thread.join(timeout=30)
    if failure:
        raise failure[0]


def _catch(work, failure):
    try:
        work()
    except BaseException as exc:  # re-raised in the test's thread
        failure.append(exc)


def serve(handlers):
    widget = Recorder()
    return widget, RequestServer(widget, handlers)


def test_reply_carries_arrays_as_message_buffers_not_json():
    values = np.arange(12, dtype=np.float64).reshape(3, 4) / 7
    widget, server = serve({"square": lambda p: {"n": p["n"], "array": encode(values**2)}})
    request(server, widget, "v-1", "square", n=3)
    (content, buffers) = widget.sent[0]
    assert content["iw"] == "reply" and content["id"] == "v-1" and content["content"]["n"] == 3
    assert content["content"]["array"]["buffer"] == {BUFFER_KEY: 0}  # a placeholder in the JSON
    assert len(buffers) == 1 and buffers[0].nbytes == 12 * 4
    np.testing.assert_allclose(decode(unpack(content, buffers)["content"]["array"]), values**2, rtol=1e-7)
    assert server.answered == 1


def test_pack_and_unpack_round_trip_nested_buffers():
    message = {"a": [encode(np.ones(2)), {"b": encode(np.zeros(3, dtype=np.int32), "int32")}], "c": "text"}
    json_part, buffers = pack(message)
    assert len(buffers) == 2 and json_part["c"] == "text"
    restored = unpack(json_part, buffers)
    np.testing.assert_array_equal(decode(restored["a"][0]), np.ones(2))
    np.testing.assert_array_equal(decode(restored["a"][1]["b"]), np.zeros(3))


@pytest.mark.parametrize(
    ("handler", "params", "kind", "text"),
    [
        (lambda p: {"i": index_param(p, "instance", 5)}, {"instance": 9}, "ValueError", "must be in 0..4; received 9"),
        (
            lambda p: {"i": index_param(p, "instance", 5)},
            {"instance": "2"},
            "TypeError",
            "must be an int; received str",
        ),
        (lambda p: {"i": index_param(p, "instance", 5)}, {}, "KeyError", "the request needs the parameter 'instance'"),
        (lambda p: {"x": 1 / 0}, {}, "ZeroDivisionError", "ZeroDivisionError: division by zero"),
    ],
)
def test_a_failing_handler_becomes_an_error_reply_and_the_kernel_lives_on(handler, params, kind, text):
    widget, server = serve({"work": handler})
    request(server, widget, "v-7", "work", **params)
    (content, buffers) = widget.sent[0]
    assert content["iw"] == "error" and content["id"] == "v-7" and content["type"] == kind and buffers == []
    assert content["error"].endswith(text)


def test_unknown_kinds_malformed_requests_and_foreign_messages():
    widget, server = serve({"a": lambda p: {}, "b": lambda p: {}})
    request(server, widget, "v-1", "c")
    assert widget.sent[-1][0]["error"] == "unknown request kind 'c'; this widget answers: a, b"
    server.receive(widget, {"iw": "request", "id": "v-2", "kind": "a", "params": [1]}, [])
    assert widget.sent[-1][0]["error"] == "params must be an object; received list"
    server.receive(widget, {"event": "element_click", "data": {}}, [])  # bqplot's own messages pass by
    server.receive(widget, {"iw": "request", "kind": "a"}, [])  # no id: nobody to answer
    assert len(widget.sent) == 2 and server.pending == ()


def test_a_request_cancelled_before_its_turn_is_never_computed():
    computed = []
    widget, server = serve({"slow": lambda p: computed.append(p["i"]) or {"i": p["i"]}})

    def receive(rid, i):
        server.receive(widget, {"iw": "request", "id": rid, "kind": "slow", "params": {"i": i}}, [])

    async def burst():
        # what the kernel reads when a user steps through instances faster than they are computed
        receive("v-1", 1)
        server.receive(widget, {"iw": "cancel", "id": "v-1"}, [])
        receive("v-2", 2)
        server.receive(widget, {"iw": "cancel", "id": "v-2"}, [])
        receive("v-3", 3)
        assert computed == [] and server.pending == ("v-3",)  # nothing computed inside the message handler
        await asyncio.sleep(DEFER_S * 4)

    in_a_thread_of_its_own(lambda: asyncio.run(burst()))
    assert computed == [3] and [c["id"] for c, _ in widget.sent] == ["v-3"] and server.cancelled == 2


def test_deferred_answers_are_given_one_at_a_time_in_order():
    order = []
    widget, server = serve({"w": lambda p: order.append(p["i"]) or {}})

    async def three():
        for i in range(3):
            server.receive(widget, {"iw": "request", "id": f"v-{i}", "kind": "w", "params": {"i": i}}, [])
        assert order == []
        await asyncio.sleep(DEFER_S * 8)

    in_a_thread_of_its_own(lambda: asyncio.run(three()))
    assert order == [0, 1, 2] and server.answered == 3


def test_quick_answers_go_out_together_and_slow_work_lets_the_kernel_read_its_queue():
    import time

    from interpretwidgets.widgets._messages import BATCH_S

    answered = []

    def work(p):
        if p.get("slow"):
            time.sleep(BATCH_S * 2)
        answered.append(p["i"])
        return {}

    widget, server = serve({"w": work})

    async def first_paint():
        # a view's first paint: several quick requests at once, all answered in one deferral
        for i in range(4):
            server.receive(widget, {"iw": "request", "id": f"q-{i}", "kind": "w", "params": {"i": i}}, [])
        await asyncio.sleep(DEFER_S * 1.5)
        assert answered == [0, 1, 2, 3]
        # a slow answer first: the one behind it waits for the next deferral, so its cancel (read meanwhile) counts
        server.receive(widget, {"iw": "request", "id": "s", "kind": "w", "params": {"i": 10, "slow": True}}, [])
        server.receive(widget, {"iw": "request", "id": "t", "kind": "w", "params": {"i": 11}}, [])
        cancel = {"iw": "cancel", "id": "t"}
        asyncio.get_running_loop().call_later(DEFER_S + BATCH_S, server.receive, widget, cancel, [])
        await asyncio.sleep(DEFER_S * 4 + BATCH_S * 2)

    in_a_thread_of_its_own(lambda: asyncio.run(first_paint()))
    assert answered == [0, 1, 2, 3, 10] and server.cancelled == 1


def test_without_an_event_loop_requests_are_answered_at_once():
    widget, server = serve({"w": lambda p: {"ok": True}})
    message = {"iw": "request", "id": "v-1", "kind": "w", "params": {}}
    in_a_thread_of_its_own(lambda: server.receive(widget, message, []))
    assert widget.sent[0][0]["content"] == {"ok": True}
