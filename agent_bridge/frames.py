"""``command`` frames for the agent, from a run or from the event that announced it."""

from __future__ import annotations

from agent_bridge.local_agent import protocol
from permissions.events import CommandQueued
from permissions.models import CommandRun


def command_frame(run: CommandRun) -> protocol.Command:
    return protocol.Command(
        id=str(run.pk),
        target=run.target,
        action=run.action,
        params=run.params,
        deadline=run.deadline,
    )


def frame_from_event(event: CommandQueued) -> protocol.Command:
    return protocol.Command(
        id=event["run"],
        target=event["target"],
        action=event["action"],
        params=event["params"],
        deadline=event["deadline"],  # type: ignore[arg-type]  # ISO 8601, parsed by pydantic
    )
