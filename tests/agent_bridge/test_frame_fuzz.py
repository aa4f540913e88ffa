"""No frame can crash the agent's connection (issue "Hardening"): frames with ``type`` as a
list or an object, ids of thousands of characters, missing fields, deep nesting or NUL
characters used to end in an unhandled exception and close code 1011. Property-based with
Hypothesis over the protocol's frame types, through the real consumer."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, get_args

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_bridge import consumers
from agent_bridge.local_agent import protocol
from tests.agent_bridge.conftest import make_agent
from tests.agent_bridge.test_consumer import _connected, _frame

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.security]

FRAME_MODELS = get_args(protocol.AgentFrame)
TYPES = sorted(m.model_fields["type"].default for m in FRAME_MODELS)
FIELDS = sorted({name for m in FRAME_MODELS for name in m.model_fields} - {"type"})

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.text(alphabet="\x00a\u202e\ud7ff", max_size=6),
    st.just("x" * 5000),
)
values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)
frames = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(TYPES), values)},
    optional={name: values for name in FIELDS},
)
nested = st.integers(min_value=50, max_value=5000).map(
    lambda n: '{"type":' + "[" * n + "]" * n + "}"
)
raw_frames = st.one_of(frames.map(json.dumps), nested, st.text(min_size=1, max_size=60))


class _Tracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


@pytest.fixture
def tracebacks() -> Iterator[_Tracebacks]:
    handler = _Tracebacks()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@given(raw=raw_frames)
@settings(max_examples=400, deadline=None)
def test_parsing_any_frame_gives_a_frame_or_a_named_error(raw: str) -> None:
    try:
        protocol.parse_agent_frame(raw)
    except protocol.FrameError as exc:
        assert protocol.parse_server_frame(exc.frame().dump()).type == "error"


async def _drive(token: str, raws: list[str]) -> None:
    socket = await _connected(token)
    try:
        for raw in raws:
            await socket.send_to(text_data=raw)
        await socket.send_to(text_data=protocol.Ping(id="after-the-fuzz").dump())
        while True:  # every frame answered or taken; the connection is still up
            output = await socket.receive_output(timeout=10)
            assert output["type"] == "websocket.send", output
            frame = protocol.parse_server_frame(output["text"])
            if isinstance(frame, protocol.Pong) and frame.id == "after-the-fuzz":
                return
    finally:
        await socket.disconnect()


@given(raws=st.lists(raw_frames, min_size=1, max_size=consumers.BAD_FRAME_BUDGET))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_no_frame_closes_the_connection_or_logs_a_traceback(
    alice: Any, tracebacks: _Tracebacks, raws: list[str]
) -> None:
    _, token = make_agent(alice)
    async_to_sync(_drive)(token, raws)
    assert tracebacks.records == []


@pytest.mark.parametrize(
    ("name", "raw", "says"),
    [
        ("type as a list", '{"type": ["hello"]}', "Unknown frame type"),
        ("type as an object", '{"type": {"a": 1}, "id": "r1"}', "Unknown frame type"),
        ("an id of thousands of characters", json.dumps({"type": "ack", "id": "r" * 5000}), "id"),
        ("missing fields", '{"type": "result"}', "id"),
        ("deep nesting", '{"type": "ack", "id": ' + "[" * 5000 + "]" * 5000 + "}", "JSON"),
        (
            "nesting under the JSON limit",
            '{"type": "ack", "id": "r", "x": ' + "[" * 200 + "]" * 200 + "}",
            "nest",
        ),
        ("NUL characters", '{"type": "ack", "id": "r\\u0000"}', "NUL"),
    ],
)
async def test_a_malformed_frame_gets_an_error_frame_and_the_connection_stays(
    alice: Any, name: str, raw: str, says: str
) -> None:
    _, token = await sync_to_async(make_agent)(alice)
    socket = await _connected(token)
    await socket.send_to(text_data=raw)
    error = await _frame(socket)
    assert isinstance(error, protocol.Error) and says in error.message, (name, error)
    await socket.send_to(text_data=protocol.Ping(id="still").dump())
    assert await _frame(socket) == protocol.Pong(id="still")
    await socket.disconnect()


async def test_repeated_bad_frames_close_with_the_abuse_code(alice: Any) -> None:
    _, token = await sync_to_async(make_agent)(alice)
    socket = await _connected(token)
    for _ in range(consumers.BAD_FRAME_BUDGET + 1):
        await socket.send_to(text_data="not json")
    codes: list[int] = []
    while not codes:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            codes.append(output["code"])
    assert codes == [consumers.CLOSE_ABUSE]
    await socket.disconnect()


async def test_a_frame_over_the_limit_closes_with_1009(alice: Any) -> None:
    _, token = await sync_to_async(make_agent)(alice)
    socket = await _connected(token)
    await socket.send_to(text_data="x" * (protocol.MAX_FRAME_BYTES + 1))
    output = await socket.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": consumers.CLOSE_TOO_LARGE}
    await socket.disconnect()


def test_a_result_over_the_result_limit_is_sent_as_a_too_large_error_once() -> None:
    """It used to be sent, refused, kept and resent after every reconnect."""
    from agent_bridge.local_agent.client import _fitting

    big = protocol.Result(id="r1", ok=True, data={"text": "x" * (3 * 1024 * 1024)})
    result = _fitting(big, 2 * 1024 * 1024)
    assert result.ok is False and result.error is not None
    assert result.error.code == "too_large"
    assert result.error.message == "The result is too large (3.0 MB, limit 2.0 MB)."
    assert len(result.dump()) < 1000
    assert _fitting(big, protocol.DEFAULT_MAX_RESULT_BYTES) is big  # sent in parts
    small = protocol.Result(id="r2", ok=True, data={"text": "fine"})
    assert _fitting(small, 2 * 1024 * 1024) is small
