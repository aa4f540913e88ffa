"""Notifications of the chat: an answer that failed, with a Retry button."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from chat.access import get_message_for_user
from chat.models import Message
from notifications.actions import notify
from notifications.handlers import ActionRefused, NotificationAction
from notifications.models import Category, Priority

RETRY_ANSWER = "chat.retry_answer"


def retry(user: Any, params: dict[str, Any]) -> str:
    from chat.actions import retry_answer

    try:
        answer = get_message_for_user(user, params.get("message"))
    except Http404 as exc:
        raise ActionRefused("That answer no longer exists.") from exc
    if retry_answer(answer=answer) is None:
        raise ActionRefused("That answer is not failed any more.")
    return "Asked again."


def notify_answer_failed(answer: Message) -> None:
    conversation = answer.conversation
    error = str(answer.metadata.get("error") or "The assistant could not answer.")
    notify(
        owner=conversation.owner,
        category=Category.ASSISTANT,
        priority=Priority.HIGH,
        title=f"The assistant could not answer in “{conversation.title or 'a conversation'}”",
        body=error,
        link=conversation.get_absolute_url(),
        actions=[
            NotificationAction(
                key="retry",
                label="Retry",
                handler=RETRY_ANSWER,
                params={"message": answer.pk},
                style="primary",
            )
        ],
        dedupe_key=f"answer-failed:{answer.pk}",
    )
