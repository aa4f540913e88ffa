"""Typed events of assistant runs, for programs that follow a run (the API's SSE
streams): the same moments the chat page sees (phases, tokens, a wait, the end), as
data instead of HTML. Sent to one channel-layer group per conversation, because a
caller must be listening before the run it starts can produce anything."""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from pydantic import BaseModel, Field

from lmo.live.sender import group_send_sync

EVENT_TYPE = "run.event"  # the channel-layer message type


class RunEvent(BaseModel):
    run: int = Field(description="The id of the message the run answers.")
    kind: Literal["phase", "token", "waiting", "end"]
    text: str = ""
    phase: str = ""
    detail: dict[str, Any] = Field(default_factory=dict)
    # "end": finished, stopped or failed.
    state: str = ""
    usage: dict[str, int] | None = None


def run_events_group(conversation_id: int) -> str:
    return f"chat.runs.{conversation_id}"


def send_run_event(conversation_id: int, event: RunEvent) -> None:
    group_send_sync(
        run_events_group(conversation_id),
        {"type": EVENT_TYPE, "event": event.model_dump(mode="json")},
    )


def send_run_event_on_commit(conversation_id: int, event: RunEvent) -> None:
    transaction.on_commit(lambda: send_run_event(conversation_id, event))
