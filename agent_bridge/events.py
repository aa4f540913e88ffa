"""Channel-layer events to an agent's live connection (group ``Agent.group``).

"A command is queued" is permissions.events.CommandQueued (it only nudges: the command
lives in its CommandRun row); these are the bridge's own."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from django.db import transaction

from lmo.live.sender import group_send_sync


class AgentClose(TypedDict):
    """Close the connection with ``code`` (revoked 4403, replaced 4409)."""

    type: Literal["agent.close"]
    code: int


class AgentConfig(TypedDict):
    """Send a ``config`` frame with these server-side preferences."""

    type: Literal["agent.config"]
    config: dict[str, Any]


class AgentRestart(TypedDict):
    """Send a ``restart`` frame: start this (unavailable) connector again."""

    type: Literal["agent.restart"]
    connector: str


def send_to_agent_on_commit(agent: Any, event: AgentClose | AgentConfig | AgentRestart) -> None:
    group = agent.group
    transaction.on_commit(lambda: group_send_sync(group, dict(event)))
