"""Pushing a computer's card (presence, name, connectors) to its owner's open pages."""

from __future__ import annotations

from agent_bridge.models import Agent
from lmo.live import push
from lmo.live.groups import user_group


def agent_html(agent: Agent) -> str:
    """The computer's card in Settings → Apps, swapped in place on every open page."""
    return push.render("agent_bridge/_agent.html", {"agent": agent, "oob": True})


def push_agent_on_commit(agent: Agent) -> None:
    push.send_on_commit(user_group(agent.owner_id), agent_html(agent))
