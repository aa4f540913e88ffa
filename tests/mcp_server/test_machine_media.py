"""Through LMO's MCP server, a machine tool's images and audio reach the outside client as
MCP image and audio content (they used to be reduced to text); other files are named."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from mcp.types import CallToolResult

from lmo.mcp_server import tools
from permissions.models import CommandRun
from permissions.results import keep_result
from tests.agent_bridge.conftest import make_agent
from tests.agent_bridge.mcp_media_server import image_bytes

pytestmark = pytest.mark.django_db


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_images_and_audio_are_mcp_content_for_the_client(alice: Any, monkeypatch: Any) -> None:
    agent, _ = make_agent(alice)
    run = CommandRun.objects.create(
        agent=agent, target="mcp:media", action="snapshot", deadline="2030-01-01T00:00Z"
    )
    content = [
        {"type": "image", "mime_type": "image/png", "data": _b64(image_bytes(3000))},
        {"type": "audio", "mime_type": "audio/wav", "data": _b64(b"RIFF0000WAVE")},
        {"type": "image", "mime_type": "image/png", "data": _b64(image_bytes(9000))},
        {"type": "resource", "uri": "file:///q3.pdf", "mime_type": "application/pdf",
         "data": _b64(b"%PDF")},
    ]  # fmt: skip
    run.result = keep_result(run, {"text": "Two shots.", "content": content}, size=20_000)
    run.state = CommandRun.State.SUCCEEDED
    monkeypatch.setattr(tools, "MAX_INLINE_MEDIA", 5000)  # the second shot is too big inline

    made = tools.machine_result(run)
    # What the official SDK's client parses from the wire:
    wire = CallToolResult.model_validate(made.model_dump(mode="json", by_alias=True))
    kinds = [c.type for c in wire.content]
    assert kinds == ["text", "image", "audio"]
    assert wire.content[1].data == _b64(image_bytes(3000))  # type: ignore[union-attr]
    assert wire.content[1].mime_type == "image/png"  # type: ignore[union-attr]
    assert wire.content[2].mime_type == "audio/wav"  # type: ignore[union-attr]
    text = wire.content[0].text  # type: ignore[union-attr]
    assert "Two shots." in text and "q3.pdf (application/pdf" in text
    assert not wire.is_error
