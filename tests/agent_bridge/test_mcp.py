"""A real MCP server from PyPI (mcp-server-time) hosted by the agent: tools listed and
advertised as ``mcp:time``, called, and restarted when its process dies."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import sys
import time
from pathlib import Path

import psutil
import pytest

from agent_bridge.local_agent.client import MCP_START_GRACE, Agent
from agent_bridge.local_agent.config import Config, McpServer
from agent_bridge.local_agent.connectors import ActionError
from agent_bridge.local_agent.connectors.mcp import McpHost
from tests.agent_bridge.live import mcp_time_command
from tests.agent_bridge.mcp_media_server import image_bytes
from tests.conftest import ROOT


def _server_processes() -> list[psutil.Process]:
    return [
        p
        for p in psutil.Process().children(recursive=True)
        if "mcp-server-time" in " ".join(p.cmdline())
    ]


async def test_tools_are_listed_called_and_the_server_restarted_when_it_dies() -> None:
    changes: list[int] = []
    host = McpHost(
        McpServer(name="time", command=mcp_time_command()), on_tools=lambda: changes.append(1)
    )
    host.start()
    try:
        await asyncio.wait_for(host.ready.wait(), 30)
        spec = host.connector().spec()
        assert spec.name == "mcp:time"
        actions = {a.name: a for a in spec.actions}
        assert {"get_current_time", "convert_time"} <= set(actions)
        assert actions["get_current_time"].params["required"] == ["timezone"]
        result = await host.connector().call("get_current_time", {"timezone": "Asia/Tokyo"})
        assert result["structured"]["timezone"] == "Asia/Tokyo"
        with pytest.raises(ActionError) as caught:
            await host.connector().call("get_current_time", {"timezone": 5})
        assert caught.value.code == "invalid_params"

        for process in _server_processes():
            process.kill()
        with pytest.raises(ActionError):  # the call that meets the dead server fails, clearly
            await host.call("get_current_time", {"timezone": "UTC"})
        await asyncio.sleep(0.1)
        await asyncio.wait_for(host.ready.wait(), 30)
        again = await host.call("get_current_time", {"timezone": "UTC"})
        assert again["structured"]["timezone"] == "UTC"
        assert host.restarts >= 1 and changes == [1]  # same tools after the restart
    finally:
        await host.stop()


MEDIA_SERVER = str(ROOT / "tests" / "agent_bridge" / "mcp_media_server.py")


async def _ready_host(name: str, *args: str) -> McpHost:
    host = McpHost(McpServer(name=name, command=sys.executable, args=list(args)))
    host.start()
    await asyncio.wait_for(host.ready.wait(), 30)
    return host


async def test_images_audio_resources_and_links_reach_the_result() -> None:
    """They used to be dropped: only text content was kept."""
    host = await _ready_host("media", MEDIA_SERVER)
    try:
        shot = await host.connector().call("snapshot", {"size": 1000})
        assert shot["text"] == "A screenshot of 1000 bytes."
        assert shot["content"] == [
            {
                "type": "image",
                "mime_type": "image/png",
                "data": base64.b64encode(image_bytes(1000)).decode(),
            }
        ]
        sound = await host.connector().call("clip", {})
        assert sound["content"][0]["type"] == "audio"
        assert sound["content"][0]["mime_type"] == "audio/wav"
        docs = await host.connector().call("documents", {})
        assert docs["content"] == [
            {
                "type": "resource",
                "uri": "file:///notes/todo.md",
                "mime_type": "text/markdown",
                "text": "# To do\n- milk",
            },
            {
                "type": "resource",
                "uri": "file:///reports/q3.pdf",
                "mime_type": "application/pdf",
                "data": base64.b64encode(b"%PDF-1.7 q3").decode(),
            },
            {
                "type": "resource_link",
                "uri": "file:///reports/",
                "name": "reports",
                "description": "All reports",
            },
        ]
    finally:
        await host.stop()


async def test_only_tools_marked_read_only_are_not_writes() -> None:
    """MCP's default for an unmarked tool is "may be destructive": a write, so the user
    is asked with "may change or delete" and Always needs a fresh second factor."""
    host = await _ready_host("media", MEDIA_SERVER)
    try:
        writes = {a.name: a.writes for a in host.connector().spec().actions}
    finally:
        await host.stop()
    assert writes == {
        "snapshot": False,
        "clip": False,
        "documents": False,
        "erase": True,  # destructiveHint: true
        "touch": True,  # no hints
    }


HANGS = "import sys, time\nsys.stdin.read()\ntime.sleep(600)\n"


async def test_broken_server_entries_do_not_hold_up_the_connection(tmp_path: Path) -> None:
    """A missing command, a crash on start and a server that never answers used to
    delay the agent's connection by about 20 s; now it connects after a short grace with
    the healthy servers and reports the others with their errors."""
    (tmp_path / "hangs.py").write_text(HANGS)
    config = Config(
        path=tmp_path / "config.toml",
        server="http://127.0.0.1:1",
        connectors={},
        listeners={},
        mcp=[
            McpServer(name="media", command=sys.executable, args=[MEDIA_SERVER]),
            McpServer(name="missing", command=str(tmp_path / "no-such-server")),
            McpServer(name="crashes", command=sys.executable, args=["-c", "raise SystemExit(3)"]),
            McpServer(name="hangs", command=sys.executable, args=[str(tmp_path / "hangs.py")]),
        ],
    )
    agent = Agent(config, "token")
    for host in agent.mcp:
        host.start()
    started = time.monotonic()
    try:
        with contextlib.suppress(TimeoutError):  # what Agent.run does before it connects
            await asyncio.wait_for(
                asyncio.gather(*(h.settled.wait() for h in agent.mcp)), MCP_START_GRACE
            )
        waited = time.monotonic() - started
        await asyncio.wait_for(agent.mcp[0].ready.wait(), 30)
        assert [c.name for c in agent.connector_specs() if c.name.startswith("mcp:")] == [
            "mcp:media"
        ]
        unavailable = {u.name: u.error for u in agent.unavailable()}
    finally:
        for host in agent.mcp:
            await host.stop()
    assert waited <= MCP_START_GRACE + 0.5
    assert set(unavailable) == {"mcp:missing", "mcp:crashes", "mcp:hangs"}
    assert unavailable["mcp:missing"].startswith("command not found")
    assert unavailable["mcp:hangs"] == "Still starting: no answer yet."
    assert unavailable["mcp:crashes"]
