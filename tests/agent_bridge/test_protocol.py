"""The wire protocol: every frame round-trips, every bad frame is named."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from agent_bridge.local_agent import protocol
from tests.agent_bridge.conftest import hello

AGENT_FRAMES = [
    hello(holding=["r1"]),
    protocol.Ack(id="r1"),
    protocol.Progress(id="r1", message="half", percent=50),
    protocol.Result(id="r1", ok=True, data={"entries": []}, duration_ms=3.5),
    protocol.Result(id="r1", ok=False, error=protocol.ResultError(code="refused", message="no")),
    protocol.ActivitiesBatch(batch="b1", items=[{"id": "e1", "type": "browser"}]),
    protocol.Ping(id="1"),
    protocol.Pong(id="1"),
    protocol.Error(code="invalid_frame", message="bad", ref="r1"),
]
SERVER_FRAMES = [
    protocol.HelloOk(
        protocol=1, agent_id="a", name="laptop", heartbeat_seconds=30, max_frame_bytes=10
    ),
    protocol.Command(
        id="r1",
        target="mcp:time",
        action="get_current_time",
        params={"a": 1},
        deadline=datetime.now(UTC),
    ),
    protocol.Ack(id="r1", of="result"),
    protocol.ActivitiesAck(batch="b1", items=[protocol.ItemOutcome(id="e1", status="duplicate")]),
    protocol.ConfigUpdate(config={"tracking": {"browser": False}}),
    protocol.Ping(),
    protocol.Error(code="unknown_command", message="no such command"),
]


@pytest.mark.parametrize("frame", AGENT_FRAMES, ids=lambda f: f.type)
def test_agent_frames_round_trip(frame: protocol._Frame) -> None:
    assert protocol.parse_agent_frame(frame.dump()) == frame


@pytest.mark.parametrize("frame", SERVER_FRAMES, ids=lambda f: f.type)
def test_server_frames_round_trip(frame: protocol._Frame) -> None:
    assert protocol.parse_server_frame(frame.dump()) == frame


@pytest.mark.parametrize(
    ("raw", "code", "says"),
    [
        ("not json", "invalid_json", "JSON"),
        ("[1, 2]", "invalid_frame", "object"),
        ('{"type": "launch_missiles"}', "unknown_type", "launch_missiles"),
        ('{"type": "command", "id": "x"}', "unknown_type", "command"),  # server-only frame
        ('{"type": "ack", "id": 5}', "invalid_frame", "id"),
        ('{"type": "result", "id": "r1"}', "invalid_frame", "ok"),
        ('{"type": "ping", "id": "1", "extra": true}', "invalid_frame", "extra"),
        (
            '{"type": "hello", "protocols": [], "agent_version": "1", "platform": "x"}',
            "invalid_frame",
            "protocols",
        ),
        (
            '{"type": "hello", "protocols": [1], "agent_version": "1", "platform": "x\\u0000"}',
            "invalid_frame",
            "NUL",
        ),
        ('{"type": "activities", "batch": "b\\u0000", "items": [{}]}', "invalid_frame", "NUL"),
    ],
)
def test_bad_agent_frames_are_named(raw: str, code: str, says: str) -> None:
    with pytest.raises(protocol.FrameError) as caught:
        protocol.parse_agent_frame(raw)
    assert caught.value.code == code
    assert says in caught.value.message
    assert protocol.parse_server_frame(caught.value.frame().dump()).type == "error"


def test_oversized_frames_are_refused_before_parsing() -> None:
    raw = json.dumps({"type": "ping", "id": "x" * protocol.MAX_FRAME_BYTES})
    with pytest.raises(protocol.FrameError) as caught:
        protocol.parse_agent_frame(raw)
    assert caught.value.code == "too_large"


def test_the_highest_common_version_is_chosen() -> None:
    assert protocol.negotiate([1, 7]) == 1
    assert protocol.negotiate([2, 3]) is None


def test_a_nul_in_command_output_is_shown_not_stored() -> None:
    """No database keeps a NUL: a program's output that holds one keeps the rest."""
    raw = json.dumps({"type": "result", "id": "r1", "ok": True, "data": {"stdout": "a\x00b"}})
    frame = protocol.parse_agent_frame(raw)
    assert isinstance(frame, protocol.Result)
    assert frame.data == {"stdout": "a\ufffdb"}


def test_activities_with_a_nul_are_judged_item_by_item() -> None:
    raw = json.dumps({"type": "activities", "batch": "b1", "items": [{"id": "e\x00"}]})
    frame = protocol.parse_agent_frame(raw)
    assert isinstance(frame, protocol.ActivitiesBatch)
    assert frame.items == [{"id": "e\x00"}]
