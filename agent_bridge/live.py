"""Pushing a computer's row (presence, name, connectors) to its owner's open pages."""

from __future__ import annotations

from django.db import transaction
from django.template.loader import render_to_string

from agent_bridge.models import Agent
from lmo.live.events import LiveFragment
from lmo.live.groups import user_group
from lmo.live.sender import group_send_sync

_NO_CSRF = {"csrf_token": "NOTPROVIDED"}


def agent_html(agent: Agent) -> str:
    """The computer's card in Settings → Apps, swapped in place on every open page."""
    return render_to_string("agent_bridge/_agent.html", {"agent": agent, "oob": True, **_NO_CSRF})


def _send(user_id: int, html: str) -> None:
    event: LiveFragment = {"type": "live.fragment", "html": html}
    group_send_sync(user_group(user_id), dict(event))


def push_agent_on_commit(agent: Agent) -> None:
    def _push() -> None:
        fresh = Agent.objects.filter(pk=agent.pk).first()
        if fresh is not None:
            _send(fresh.owner_id, agent_html(fresh))

    transaction.on_commit(_push)
