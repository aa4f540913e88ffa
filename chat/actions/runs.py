"""The assistant run's state changes, each one conditional UPDATE (see AssistantRun)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from chat.models import AssistantRun, Conversation, Message

State = AssistantRun.State
UNFINISHED = (State.RUNNING, State.WAITING, State.RESUMING)


def start(
    *, conversation: Conversation, answer: Message, origin: str, organisation_id: int | None
) -> AssistantRun:
    """Inside the transaction creating ``answer``. IntegrityError when another answer of
    the conversation is unfinished (it starts the next question when it finishes)."""
    return AssistantRun.objects.create(
        conversation=conversation, answer=answer, origin=origin, organisation_id=organisation_id
    )


def take_over(run: AssistantRun) -> bool:
    """A run still "running" past the task time limit was left by a dead worker: this
    worker continues it (from its checkpoint), if no other took it first."""
    stale = timezone.now() - timedelta(seconds=settings.LMO_TASK_TIME_LIMIT)
    if run.state != State.RUNNING or run.updated_at > stale:
        return False
    return bool(
        AssistantRun.objects.filter(
            pk=run.pk, state=State.RUNNING, updated_at=run.updated_at
        ).update(updated_at=timezone.now())
    )


def park(*, answer_id: int, waiting: dict[str, Any]) -> bool:
    """running → waiting for ``waiting["key"]``."""
    return bool(
        AssistantRun.objects.filter(answer_id=answer_id, state=State.RUNNING).update(
            state=State.WAITING,
            wait_key=str(waiting.get("key", ""))[:200],
            waiting=waiting,
            token="",
            updated_at=timezone.now(),
        )
    )


def claim_resume(*, conversation_id: int, key: str) -> tuple[AssistantRun, str] | None:
    """waiting for ``key`` → resuming: the run and the token its task must show, or None
    when no run waits for it (already resumed, stopped, or never waited)."""
    run = (
        AssistantRun.objects.select_related("answer__conversation")
        .filter(conversation_id=conversation_id, state=State.WAITING, wait_key=key[:200])
        .first()
    )
    if run is None:
        return None
    token = uuid.uuid4().hex
    taken = AssistantRun.objects.filter(pk=run.pk, state=State.WAITING, wait_key=run.wait_key)
    if not taken.update(state=State.RESUMING, token=token, updated_at=timezone.now()):
        return None
    return run, token


def begin_resumed(*, answer_id: int, token: str) -> bool:
    """resuming → running, for the one task holding ``token``."""
    return bool(
        AssistantRun.objects.filter(answer_id=answer_id, state=State.RESUMING, token=token).update(
            state=State.RUNNING, waiting=None, updated_at=timezone.now()
        )
    )


def finish(*, answer_id: int) -> bool:
    now = timezone.now()
    return bool(
        AssistantRun.objects.filter(answer_id=answer_id, state__in=UNFINISHED).update(
            state=State.FINISHED, waiting=None, finished_at=now, updated_at=now
        )
    )


def request_stop(*, answer_id: int) -> str | None:
    """Ask the run to stop at its next step; its state then, or None if it had finished."""
    if not AssistantRun.objects.filter(answer_id=answer_id, state__in=UNFINISHED).update(
        stop_requested=True
    ):
        return None
    return AssistantRun.objects.values_list("state", flat=True).get(answer_id=answer_id)


def stop_requested(*, answer_id: int) -> bool:
    return AssistantRun.objects.filter(answer_id=answer_id, stop_requested=True).exists()
