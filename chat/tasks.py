"""Celery tasks of the chat: thin, idempotent, on the default queue (CELERY_TASK_DEFAULT_QUEUE)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from chat import actions


@shared_task(name="chat.run_assistant")
def run_assistant(message_id: int, origin: str = "chat", organisation_id: int | None = None) -> str:
    """Answer a user message (a redelivery never answers twice)."""
    return actions.answer_message(
        message_id=message_id, origin=origin, organisation_id=organisation_id
    )


@shared_task(name="chat.resume_assistant")
def resume_assistant(answer_id: int, token: str, value: Any) -> str:
    """Continue a run that waited, with the value it waited for."""
    return actions.continue_answer(answer_id=answer_id, token=token, value=value)


@shared_task(name="chat.transcribe_voice")
def transcribe_voice(message_id: int) -> str:
    """Turn a voice message into text, then ask the assistant."""
    from chat.voice import transcribe_message

    return transcribe_message(message_id=message_id)
