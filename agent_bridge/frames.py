"""Frames the server builds for the agent from its rows."""

from __future__ import annotations

from agent_bridge.local_agent import protocol
from permissions.models import CommandRun


def command_frame(run: CommandRun) -> protocol.Command:
    return protocol.Command(
        id=str(run.pk),
        target=run.target,
        action=run.action,
        params=run.params,
        deadline=run.deadline,
    )
