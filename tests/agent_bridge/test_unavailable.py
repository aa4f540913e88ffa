"""A broken MCP server entry in the agent's config is shown in Settings → Apps with its
error and a Retry button, which asks the connected agent to start it again."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from agent_bridge.local_agent import protocol
from agent_bridge.models import Agent
from tests.agent_bridge.conftest import make_agent
from tests.agent_bridge.test_consumer import _connected, _frame

pytestmark = [pytest.mark.django_db(transaction=True)]
BROKEN = protocol.Unavailable(name="mcp:notes", error="command not found: notes-mcp")


async def test_retry_reaches_the_agent_as_a_restart_frame(
    alice: Any, bob: Any, login_verified: Any
) -> None:
    agent, token = await sync_to_async(make_agent)(alice)
    socket = await _connected(token, unavailable=[BROKEN])
    stored = await sync_to_async(Agent.objects.get)(pk=agent.pk)
    assert stored.unavailable == [BROKEN.model_dump()]

    owner = await sync_to_async(login_verified)(Client(), alice)
    page = await sync_to_async(owner.get)("/settings/apps/")
    html = page.content.decode()
    assert "mcp:notes" in html and "command not found: notes-mcp" in html and "Retry" in html

    url = f"/apps/computers/{agent.pk}/retry/"
    answer = await sync_to_async(owner.post)(url, {"connector": "mcp:notes"})
    assert "Asked laptop to start mcp:notes again." in answer.content.decode()
    assert await _frame(socket) == protocol.Restart(connector="mcp:notes")

    refused = await sync_to_async(owner.post)(url, {"connector": "filesystem"})
    assert "filesystem is not an unavailable connector of laptop." in refused.content.decode()
    other = await sync_to_async(login_verified)(Client(), bob)
    assert (await sync_to_async(other.post)(url, {"connector": "mcp:notes"})).status_code == 404
    assert await socket.receive_nothing(timeout=0.3)

    # Once the agent says hello without it, the entry is gone.
    await socket.disconnect()
    socket = await _connected(token)
    assert (await sync_to_async(Agent.objects.get)(pk=agent.pk)).unavailable == []
    await socket.disconnect()
