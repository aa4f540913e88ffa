"""Tool results larger than a frame (issue "Hardening"): a 1.6 MB image or a 3 MB file
made today's agent resend and reconnect for minutes. Now a result over one frame travels
in ``result_part`` frames up to LMO_AGENT_MAX_RESULT_MB, is put together and checked by
the consumer, and its binary content is stored as a file that only its owner can open;
above the cap it is refused once with a clear error and settled, never resent."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from agent_bridge.local_agent import protocol
from chat.machine.rendering import tool_result
from permissions.actions import queue_command
from permissions.models import ANY_ACTION, CommandRun, Grant, Origin, RunFile
from permissions.results import keep_result
from tests.agent_bridge.conftest import CONNECTORS, make_agent
from tests.agent_bridge.mcp_media_server import image_bytes
from tests.agent_bridge.test_consumer import _connected, _frame

pytestmark = [pytest.mark.django_db(transaction=True)]
State = CommandRun.State
MEDIA = protocol.ConnectorSpec(
    name="mcp:media",
    actions=[
        protocol.ActionSpec(
            name="snapshot",
            params={"type": "object", "properties": {"size": {"type": "integer"}}},
        )
    ],
)


@sync_to_async
def _media_agent(owner: Any) -> tuple[Any, str]:
    agent, token = make_agent(owner)
    Grant.objects.create(
        owner=owner,
        agent=agent,
        target="mcp:media",
        action=ANY_ACTION,
        kind=Grant.Kind.ALWAYS,
        created_by=owner,
        origin=Origin.SETTINGS,
    )
    return agent, token


@sync_to_async
def _queue(agent: Any) -> CommandRun:
    agent.refresh_from_db()
    return queue_command(agent=agent, target="mcp:media", action="snapshot", params={})


@sync_to_async
def _run(run_id: Any) -> CommandRun:
    return CommandRun.objects.select_related("agent").get(pk=run_id)


def _image_result(run_id: str, size: int, text: str = "A screenshot.") -> protocol.Result:
    data = base64.b64encode(image_bytes(size)).decode()
    return protocol.Result(
        id=run_id,
        ok=True,
        data={
            "text": text,
            "content": [{"type": "image", "mime_type": "image/png", "data": data}],
        },
    )


async def _command(token: str, agent: Any) -> tuple[Any, protocol.Command]:
    socket = await _connected(token, connectors=[*CONNECTORS, MEDIA])
    run = await _queue(agent)
    command = await _frame(socket)
    assert isinstance(command, protocol.Command) and command.id == str(run.pk)
    return socket, command


async def test_a_3_mb_image_arrives_in_parts_and_is_stored_as_a_file(alice: Any) -> None:
    agent, token = await _media_agent(alice)
    socket, command = await _command(token, agent)
    result = _image_result(command.id, 3_000_000)
    parts = protocol.result_parts(result)
    assert len(result.dump()) > protocol.MAX_FRAME_BYTES and len(parts) == 4
    for part in parts:
        assert len(part.dump()) < protocol.MAX_FRAME_BYTES
        await socket.send_to(text_data=part.dump())
    assert await _frame(socket) == protocol.Ack(id=command.id, of="result")

    run = await _run(command.id)
    assert run.state == State.SUCCEEDED and run.is_sealed
    item = (run.result or {})["content"][0]
    assert "data" not in item and item["mime_type"] == "image/png" and item["size"] == 3_000_000
    stored = await sync_to_async(RunFile.objects.get)(pk=item["file"])
    assert stored.sha256 == hashlib.sha256(image_bytes(3_000_000)).hexdigest() == item["sha256"]
    with stored.file.open("rb") as handle:
        assert handle.read() == image_bytes(3_000_000)

    shown = tool_result(run)  # the chat: a preview and a download; the model: a line
    assert shown.blocks[0]["kind"] == "attachment" and shown.blocks[0]["preview"] == "image"
    assert "[image image-1.png (image/png, 2.9 MB): shown to the user]" in shown.text
    await socket.disconnect()


async def test_parts_out_of_order_or_that_do_not_add_up_are_refused(alice: Any) -> None:
    agent, token = await _media_agent(alice)
    socket, command = await _command(token, agent)
    parts = protocol.result_parts(_image_result(command.id, 2_500_000))
    await socket.send_to(text_data=parts[1].dump())
    refused = await _frame(socket)
    assert isinstance(refused, protocol.Error) and refused.ref == command.id
    assert refused.message == "Part 1 came before part 0."

    # The id was refused once: its later parts are dropped without an answer.
    for part in parts:
        await socket.send_to(text_data=part.dump())
    assert await socket.receive_nothing(timeout=0.5)
    assert (await _run(command.id)).state == State.SENT  # nothing half-stored

    # Parts that do not add up to the size and sha256 the last one gives are refused.
    await socket.disconnect()
    socket = await _connected(token, connectors=[*CONNECTORS, MEDIA], holding=[command.id])
    other = protocol.result_parts(_image_result(command.id, 2_500_000, "Another one."))
    for part in [*other[:-1], parts[-1]]:
        await socket.send_to(text_data=part.dump())
    refused = await _frame(socket)
    assert isinstance(refused, protocol.Error) and refused.ref == command.id
    assert refused.message == "The parts do not add up to the size and sha256 given."

    # The whole result, sent again after a reconnect, is taken.
    await socket.disconnect()
    socket = await _connected(token, connectors=[*CONNECTORS, MEDIA], holding=[command.id])
    for part in parts:
        await socket.send_to(text_data=part.dump())
    assert await _frame(socket) == protocol.Ack(id=command.id, of="result")
    assert (await _run(command.id)).state == State.SUCCEEDED
    await socket.disconnect()


async def test_a_result_over_the_cap_is_refused_once_and_settled(alice: Any, settings: Any) -> None:
    settings.LMO_AGENT_MAX_RESULT_MB = 2
    agent, token = await _media_agent(alice)
    socket, command = await _command(token, agent)
    parts = protocol.result_parts(_image_result(command.id, 3_000_000))
    for part in parts:
        await socket.send_to(text_data=part.dump())
    refused = await _frame(socket)
    assert isinstance(refused, protocol.Error) and refused.code == "too_large"
    assert refused.message == "The result is too large (at least 3.0 MB, limit 2.0 MB)."
    # settled, and the agent told to forget it: nothing to resend, ever
    assert await _frame(socket) == protocol.Ack(id=command.id, of="result")
    assert await socket.receive_nothing(timeout=0.5)
    run = await _run(command.id)
    assert (run.state, run.error_code) == (State.FAILED, "too_large")
    assert "limit 2.0 MB" in run.error
    await socket.disconnect()


def test_only_the_owner_opens_a_result_file(
    alice: Any, bob: Any, login_verified: Any, client: Client
) -> None:
    agent, _ = make_agent(alice)
    run = CommandRun.objects.create(
        agent=agent, target="mcp:media", action="snapshot", deadline="2030-01-01T00:00Z"
    )
    png = image_bytes(5000)
    data = {
        "content": [
            {"type": "image", "mime_type": "image/png", "data": base64.b64encode(png).decode()}
        ]
    }
    kept = keep_result(run, data, size=7000)
    url = f"/permissions/files/{kept['content'][0]['file']}/"

    owner = login_verified(Client(), alice)
    shown = owner.get(url)
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == png
    assert shown["Content-Type"] == "image/png" and shown["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in shown["Content-Security-Policy"]
    download = owner.get(url + "?download=1")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith('attachment; filename="image-1.png"')
    assert login_verified(client, bob).get(url).status_code == 404


def test_svg_html_and_pdf_are_downloads_never_shown_in_place(
    alice: Any, login_verified: Any
) -> None:
    agent, _ = make_agent(alice)
    run = CommandRun.objects.create(
        agent=agent, target="mcp:media", action="documents", deadline="2030-01-01T00:00Z"
    )
    items = [
        {
            "type": "image",
            "mime_type": "image/svg+xml",
            "data": base64.b64encode(b"<svg onload=alert(1)>").decode(),
        },
        {
            "type": "resource",
            "uri": "https://x.example/a.html",
            "mime_type": "text/html",
            "data": base64.b64encode(b"<script>").decode(),
        },
        {
            "type": "resource",
            "uri": "file:///reports/q3.pdf",
            "mime_type": "application/pdf",
            "data": base64.b64encode(b"%PDF").decode(),
        },
        {"type": "image", "mime_type": "image/png", "data": "not base64!"},
    ]
    kept = keep_result(run, {"text": "", "content": items}, size=500)
    owner = login_verified(Client(), alice)
    for item in kept["content"][:3]:
        response = owner.get(f"/permissions/files/{item['file']}/")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment")
    assert [i["name"] for i in kept["content"][:3]] == ["image-1.svg", "a.html", "q3.pdf"]
    assert kept["content"][3]["error"] == "The tool sent content that is not valid base64."


def test_a_binary_file_read_becomes_a_download(alice: Any) -> None:
    agent, _ = make_agent(alice)
    run = CommandRun.objects.create(
        agent=agent, target="filesystem", action="read", deadline="2030-01-01T00:00Z"
    )
    data = {
        "path": "/home/alice/photo.jpg",
        "size": 4,
        "truncated": False,
        "encoding": "base64",
        "content": base64.b64encode(b"\xff\xd8\x00\x01").decode(),
    }
    kept = keep_result(run, data, size=200)
    assert "content" not in kept and kept["content_file"]["name"] == "photo.jpg"
    assert kept["content_file"]["mime_type"] == "image/jpeg"
    run.result, run.state = kept, State.SUCCEEDED
    shown = tool_result(run)
    assert shown.blocks[0]["name"] == "photo.jpg" and shown.blocks[0]["preview"] == "image"
    assert "/home/alice/photo.jpg (4 bytes, image/jpeg) is stored for the user" in shown.text
