"""Channel-layer events to an agent's live connection (group ``Agent.group``).

They only nudge the connection: what a command is lives in its CommandRun row, so a
dropped event delays a command until the agent's next hello, and never loses it."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from django.db import transaction

from lmo.live.sender import group_send_sync


class AgentCommand(TypedDict):
    """Send this command if it is still queued (the frame is ``protocol.Command``)."""

    type: Literal["agent.command"]
    frame: dict[str, Any]


class AgentClose(TypedDict):
    """Close the connection with ``code`` (revoked 4403, replaced 4409)."""

    type: Literal["agent.close"]
    code: int


class AgentConfig(TypedDict):
    """Send a ``config`` frame with these server-side preferences."""

    type: Literal["agent.config"]
    config: dict[str, Any]


def send_to_agent_on_commit(agent: Any, event: AgentCommand | AgentClose | AgentConfig) -> None:
    group = agent.group
    transaction.on_commit(lambda: group_send_sync(group, dict(event)))
