"""The one event permissions sends to a computer's live connection: "a command is queued
for you", with what the command is (the consumer sends it as a ``command`` frame once its
conditional claim succeeds, without reading the row again). It only nudges: the row is the
truth, so a lost event delays a command until the computer's next hello, and never loses
it."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from django.db import transaction

from lmo.live.sender import group_send_sync


class CommandQueued(TypedDict):
    type: Literal["agent.command"]
    run: str  # CommandRun id
    target: str
    action: str
    params: dict[str, Any]
    deadline: str  # ISO 8601


def nudge_on_commit(run: Any) -> None:
    """After commit, tell the connection of ``run.agent`` (its ``group``) to send ``run``."""
    group = run.agent.group
    event: CommandQueued = {
        "type": "agent.command",
        "run": str(run.pk),
        "target": run.target,
        "action": run.action,
        "params": run.params,
        "deadline": run.deadline.isoformat(),
    }
    transaction.on_commit(lambda: group_send_sync(group, dict(event)))
