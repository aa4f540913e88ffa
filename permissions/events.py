"""The one event permissions sends to a computer's live connection: "a command is queued
for you". It only nudges: the consumer reads the run and sends it if it is still queued, so
a lost event delays a command until the computer's next hello, and never loses it."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from django.db import transaction

from lmo.live.sender import group_send_sync


class CommandQueued(TypedDict):
    type: Literal["agent.command"]
    run: str  # CommandRun id


def nudge_on_commit(run: Any) -> None:
    """After commit, tell the connection of ``run.agent`` (its ``group``) to send ``run``."""
    group = run.agent.group
    event: CommandQueued = {"type": "agent.command", "run": str(run.pk)}
    transaction.on_commit(lambda: group_send_sync(group, dict(event)))
