"""A real MCP server from PyPI (mcp-server-time) hosted by the agent: tools listed and
advertised as ``mcp:time``, called, and restarted when its process dies."""

from __future__ import annotations

import asyncio

import psutil
import pytest

from agent_bridge.local_agent.config import McpServer
from agent_bridge.local_agent.connectors import ActionError
from agent_bridge.local_agent.connectors.mcp import McpHost
from tests.agent_bridge.live import mcp_time_command


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
