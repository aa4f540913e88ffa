"""``/ws/agent/`` with a real WebSocket client through the real router: bearer auth and
its close codes, every bad frame, commands and their results, recovery at hello."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from agent_bridge import consumers
from agent_bridge.actions import revoke_agent
from agent_bridge.local_agent import protocol
from agent_bridge.models import Agent
from lmo.asgi import application
from permissions.actions import expire_runs, queue_command
from permissions.models import CommandRun
from tests.agent_bridge.conftest import hello, make_agent

pytestmark = [pytest.mark.django_db(transaction=True)]
State = CommandRun.State


def _socket(token: str | None, *, scheme: str = "Bearer") -> WebsocketCommunicator:
    headers = [(b"host", b"localhost")]
    if token is not None:
        headers.append((b"authorization", f"{scheme} {token}".encode()))
    return WebsocketCommunicator(application, "/ws/agent/", headers=headers)


async def _closed_with(socket: WebsocketCommunicator) -> int:
    connected, _ = await socket.connect()
    assert connected
    message = await socket.receive_output(timeout=5)
    assert message["type"] == "websocket.close"
    return int(message["code"])


async def _frame(socket: WebsocketCommunicator) -> Any:
    return protocol.parse_server_frame(await socket.receive_from(timeout=5))


async def _connected(token: str, **hello_fields: Any) -> WebsocketCommunicator:
    socket = _socket(token)
    connected, _ = await socket.connect()
    assert connected
    await socket.send_to(text_data=hello(**hello_fields).dump())
    ok = await _frame(socket)
    assert isinstance(ok, protocol.HelloOk), ok
    return socket


@sync_to_async
def _agent(alice: Any) -> tuple[Agent, str]:
    return make_agent(alice)


@sync_to_async
def _run(run_id: Any) -> CommandRun:
    return CommandRun.objects.get(pk=run_id)


queue = sync_to_async(queue_command)


async def test_refusals_have_their_own_close_codes(alice: Any) -> None:
    agent, raw = await _agent(alice)
    assert await _closed_with(_socket(None)) == consumers.CLOSE_NO_TOKEN
    assert await _closed_with(_socket(raw, scheme="Basic")) == consumers.CLOSE_NO_TOKEN
    assert await _closed_with(_socket("lmo_at_not-a-token")) == consumers.CLOSE_BAD_TOKEN
    await sync_to_async(revoke_agent)(agent=agent)
    assert await _closed_with(_socket(raw)) == consumers.CLOSE_REVOKED


async def test_the_token_is_not_taken_from_the_url(alice: Any) -> None:
    _, raw = await _agent(alice)
    socket = WebsocketCommunicator(
        application, f"/ws/agent/?token={raw}", headers=[(b"host", b"localhost")]
    )
    assert await _closed_with(socket) == consumers.CLOSE_NO_TOKEN


async def test_hello_connects_and_presence_is_recorded(alice: Any) -> None:
    agent, raw = await _agent(alice)
    socket = await _connected(raw, hostname="desk", platform="Linux 6.9")
    fresh = await sync_to_async(Agent.objects.get)(pk=agent.pk)
    assert fresh.connected and fresh.platform == "Linux 6.9" and fresh.protocol_version == 1
    assert [c["name"] for c in fresh.capabilities] == ["filesystem", "system"]
    await socket.send_to(text_data=protocol.Ping(id="7").dump())
    assert await _frame(socket) == protocol.Pong(id="7")
    await socket.disconnect()
    fresh = await sync_to_async(Agent.objects.get)(pk=agent.pk)
    assert not fresh.connected and fresh.disconnected_at is not None


async def test_every_bad_frame_gets_an_error_and_the_connection_stays(alice: Any) -> None:
    _, raw = await _agent(alice)
    socket = _socket(raw)
    await socket.connect()
    await socket.send_to(text_data=protocol.Ping().dump())
    assert (await _frame(socket)).code == "hello_first"
    await socket.send_to(text_data=hello().dump())
    await _frame(socket)
    cases = {
        "not json": "invalid_json",
        '{"type": "result", "id": "x", "ok": "maybe"}': "invalid_frame",
        '{"type": "warp"}': "unknown_type",
    }  # a frame over the limit closes with 1009 instead (test_frame_fuzz.py)
    for raw_frame, code in cases.items():
        await socket.send_to(text_data=raw_frame)
        error = await _frame(socket)
        assert isinstance(error, protocol.Error) and error.code == code
    await socket.send_to(text_data=protocol.Ping(id="still").dump())
    assert await _frame(socket) == protocol.Pong(id="still")
    await socket.disconnect()


async def test_an_unsupported_protocol_is_refused(alice: Any) -> None:
    _, raw = await _agent(alice)
    socket = _socket(raw)
    await socket.connect()
    await socket.send_to(text_data=hello(protocols=[99]).dump())
    error = await _frame(socket)
    assert error.code == "unsupported_protocol" and "Update the agent" in error.message
    assert (await socket.receive_output(timeout=5))["code"] == consumers.CLOSE_UNSUPPORTED


async def test_command_ack_result(alice: Any) -> None:
    agent, raw = await _agent(alice)
    socket = await _connected(raw)
    run = await queue(agent=agent, target="filesystem", action="list", params={"path": "~"})
    command = await _frame(socket)
    assert isinstance(command, protocol.Command) and command.id == str(run.pk)
    assert command.params == {"path": "~"}
    assert (await _run(run.pk)).state == State.SENT
    await socket.send_to(text_data=protocol.Ack(id=command.id).dump())
    await socket.send_to(
        text_data=protocol.Result(
            id=command.id, ok=True, data={"entries": []}, duration_ms=2
        ).dump()
    )
    assert await _frame(socket) == protocol.Ack(id=command.id, of="result")
    stored = await _run(run.pk)
    assert stored.state == State.SUCCEEDED and stored.result == {"entries": []}
    assert stored.sent_at and stored.acked_at and stored.finished_at and stored.duration_ms == 2
    # A second result for a finished command is ignored (and acknowledged, so the agent forgets it).
    await socket.send_to(text_data=protocol.Result(id=command.id, ok=False).dump())
    assert await _frame(socket) == protocol.Ack(id=command.id, of="result")
    assert (await _run(run.pk)).state == State.SUCCEEDED
    await socket.disconnect()


async def test_a_result_for_another_computers_command_is_refused(alice: Any, bob: Any) -> None:
    agent, _ = await _agent(alice)
    _, bobs_token = await sync_to_async(make_agent)(bob, "bob's")
    run = await queue(agent=agent, target="system", action="ping", params={})
    socket = await _connected(bobs_token)
    for frame in (
        protocol.Ack(id=str(run.pk)),
        protocol.Result(id=str(run.pk), ok=True, data="pwned"),
    ):
        await socket.send_to(text_data=frame.dump())
        error = await _frame(socket)
        assert error.code == "unknown_command" and error.ref == str(run.pk)
    await socket.send_to(text_data=protocol.Result(id="not-a-uuid", ok=True).dump())
    assert (await _frame(socket)).code == "unknown_command"
    stored = await _run(run.pk)
    assert stored.state == State.QUEUED and stored.result is None
    await socket.disconnect()


async def test_invalid_parameters_are_refused_before_queueing(alice: Any) -> None:
    from permissions.exceptions import CommandRefused

    agent, _ = await _agent(alice)
    with pytest.raises(CommandRefused, match="path"):
        await queue(agent=agent, target="filesystem", action="list", params={"path": 3})
    with pytest.raises(CommandRefused, match="does not offer"):
        await queue(agent=agent, target="shell", action="run", params={})
    assert not await sync_to_async(CommandRun.objects.exists)()


async def test_a_second_connection_replaces_the_first(alice: Any) -> None:
    agent, raw = await _agent(alice)
    first = await _connected(raw)
    second = await _connected(raw)
    closed = await first.receive_output(timeout=5)
    assert closed["type"] == "websocket.close" and closed["code"] == consumers.CLOSE_REPLACED
    await first.disconnect()
    # The old connection ending does not mark the computer offline: the new one is it.
    assert (await sync_to_async(Agent.objects.get)(pk=agent.pk)).connected
    run = await queue(agent=agent, target="system", action="ping", params={})
    assert (await _frame(second)).id == str(run.pk)
    await second.disconnect()


async def test_queued_commands_are_delivered_at_hello_and_expired_ones_are_not(alice: Any) -> None:
    agent, raw = await _agent(alice)
    waiting = await queue(agent=agent, target="system", action="ping", params={})
    late = await queue(agent=agent, target="system", action="ping", params={}, timeout=5)
    await sync_to_async(CommandRun.objects.filter(pk=late.pk).update)(
        deadline=timezone.now() - timedelta(seconds=1)
    )
    socket = await _connected(raw)
    assert (await _frame(socket)).id == str(waiting.pk)
    assert await socket.receive_nothing(timeout=0.3)
    expired = await _run(late.pk)
    assert expired.state == State.TIMED_OUT and "deadline" in expired.error
    await socket.disconnect()


async def test_after_a_dropped_connection(alice: Any) -> None:
    """Sent but not acknowledged: sent once more, then failed. Acknowledged and no longer
    held by the agent: failed, never re-sent. Held by the agent: left alone."""
    agent, raw = await _agent(alice)
    socket = await _connected(raw)
    unacked = await queue(agent=agent, target="system", action="ping", params={})
    acked = await queue(agent=agent, target="system", action="ping", params={})
    held = await queue(agent=agent, target="system", action="ping", params={})
    for _ in range(3):
        await _frame(socket)
    for run in (acked, held):
        await socket.send_to(text_data=protocol.Ack(id=str(run.pk)).dump())
    await socket.send_to(text_data=protocol.Ping(id="sync").dump())
    await _frame(socket)
    await socket.disconnect()

    socket = await _connected(raw, holding=[str(held.pk)])
    assert (await _frame(socket)).id == str(unacked.pk)  # re-sent once
    assert await socket.receive_nothing(timeout=0.3)
    failed = await _run(acked.pk)
    assert failed.state == State.FAILED and failed.error_code == "interrupted"
    assert "not run again" in failed.error
    assert (await _run(held.pk)).state == State.ACKED
    await socket.disconnect()

    socket = await _connected(raw, holding=[str(held.pk)])
    assert await socket.receive_nothing(timeout=0.3)  # not a third time
    assert (await _run(unacked.pk)).state == State.FAILED
    await socket.send_to(
        text_data=protocol.Result(id=str(held.pk), ok=True, data={"pong": True}).dump()
    )
    await _frame(socket)
    assert (await _run(held.pk)).state == State.SUCCEEDED
    await socket.disconnect()


async def test_deadlines_expire_while_the_computer_is_away(alice: Any) -> None:
    agent, _ = await _agent(alice)
    run = await queue(agent=agent, target="system", action="ping", params={}, timeout=5)
    assert await sync_to_async(expire_runs)(now=timezone.now()) == 0
    assert await sync_to_async(expire_runs)(now=timezone.now() + timedelta(seconds=6)) == 1
    stored = await _run(run.pk)
    assert stored.state == State.TIMED_OUT and "not connected" in stored.error


async def test_revoking_closes_the_live_connection(alice: Any) -> None:
    agent, raw = await _agent(alice)
    socket = await _connected(raw)
    await sync_to_async(revoke_agent)(agent=agent)
    closed = await socket.receive_output(timeout=5)
    assert closed["type"] == "websocket.close" and closed["code"] == consumers.CLOSE_REVOKED
