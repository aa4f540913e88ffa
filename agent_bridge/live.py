"""Pushing a computer's card (presence, name, connectors) to its owner's open pages."""

from __future__ import annotations

from django.template.loader import render_to_string

from agent_bridge.models import Agent
from lmo.live.broadcast import send_fragment_on_commit

# Pushed fragments have no request: their forms post through htmx, which sends the
# page's CSRF header (this sentinel renders no hidden field).
_NO_CSRF = {"csrf_token": "NOTPROVIDED"}


def agent_html(agent: Agent) -> str:
    """The computer's card in Settings → Apps, swapped in place on every open page."""
    return render_to_string("agent_bridge/_agent.html", {"agent": agent, "oob": True, **_NO_CSRF})


def push_agent_on_commit(agent: Agent) -> None:
    send_fragment_on_commit(user_id=agent.owner_id, html=agent_html(agent))
