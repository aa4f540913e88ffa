"""The user's side of a conversation: sending, typing, reading."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.actions.conversations import title_from
from chat.errors import ChatInputError, ChatNotFoundError
from chat.live import push_message, push_status, typing_html
from chat.models import MAX_MESSAGE_CHARS, Conversation, Message
from lmo.live.push import send_now
from lmo.organisations.access import current_organisation_id
from lmo.usage.quotas import quota_problem

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TYPING_THROTTLE_SECONDS = 2


@dataclass
class Posted:
    message: Message
    created: bool


def check_content(content: str) -> str:
    content = (content or "").strip()
    if not content:
        raise ChatInputError("Type a message first: an empty message cannot be sent.")
    if len(content) > MAX_MESSAGE_CHARS:
        raise ChatInputError(
            f"Messages are limited to {MAX_MESSAGE_CHARS:,} characters; this one has "
            f"{len(content):,}. Split it or attach less text."
        )
    return content


def _thread_root(conversation: Conversation, parent_id: int | None) -> Message | None:
    if parent_id is None:
        return None
    parent = conversation.messages.filter(pk=parent_id).first()
    if parent is None:
        raise ChatNotFoundError("The message you are replying to no longer exists.")
    # Threads are one level deep: a reply to a reply joins the same thread.
    return parent if parent.parent_id is None else parent.parent


def post_user_message(
    *,
    conversation: Conversation,
    content: str,
    client_id: str,
    parent_id: int | None = None,
    type: str = Message.Type.TEXT,
    audio: Any = None,
    answer: bool = True,
    origin: str = "chat",
    organisation_id: int | None = None,
    scopes: list[str] | None = None,
    key_prefix: str = "",
) -> Posted:
    """Store a message from the conversation's owner, once per ``client_id``; after
    commit push it to every page and ask the assistant to answer it (``origin``: who asks,
    the chat page or a program through the API; see AssistantRun.Origin)."""
    if not CLIENT_ID.match(client_id or ""):
        raise ChatInputError("The message has no valid client id; reload the page.")
    existing = conversation.messages.filter(client_id=client_id).first()
    if existing is not None:
        return Posted(existing, created=False)
    if type != Message.Type.VOICE:
        content = check_content(content)
    if answer:
        # Nothing half-runs: past the quota the question is not even stored.
        problem = quota_problem(
            user_id=conversation.owner_id,
            organisation_id=organisation_id
            if organisation_id is not None
            else current_organisation_id(conversation.owner),
        )
        if problem is not None:
            raise ChatInputError(problem)
    parent = _thread_root(conversation, parent_id)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                parent=parent,
                sender=Message.Sender.USER,
                type=type,
                content=content,
                client_id=client_id,
                audio=audio or "",
                # Who asked: a queued question or a retry is answered the same way.
                metadata=_asked_by(origin, organisation_id, scopes, key_prefix),
                status=Message.Status.SENDING
                if type == Message.Type.VOICE
                else Message.Status.SENT,
            )
            _touch(conversation, message)
            push_message(message)
            if answer and message.status == Message.Status.SENT:
                enqueue_answer_on_commit(message, origin=origin, organisation_id=organisation_id)
    except IntegrityError:
        # The same client id raced in from another tab or a retry: keep the first.
        return Posted(conversation.messages.get(client_id=client_id), created=False)
    return Posted(message, created=True)


def _touch(conversation: Conversation, message: Message) -> None:
    fields = ["last_message_at", "updated_at"]
    conversation.last_message_at = message.created_at
    if not conversation.title and message.content:
        conversation.title = title_from(message.content)
        fields.append("title")
    conversation.save(update_fields=fields)


def _asked_by(
    origin: str, organisation_id: int | None, scopes: list[str] | None, key_prefix: str
) -> dict[str, Any]:
    if origin == "chat" and organisation_id is None:
        return {}
    asked_by = {
        "origin": origin,
        "organisation_id": organisation_id,
        "scopes": scopes or [],
        "key": key_prefix,
    }
    return {"asked_by": asked_by}


def enqueue_answer_on_commit(
    message: Message, *, origin: str | None = None, organisation_id: int | None = None
) -> None:
    """``organisation_id``: whose model endpoint answers (an API key's organisation);
    None for the owner's current one. Unless given, both are what the message was
    posted with."""
    from chat.tasks import run_assistant

    asked_by = dict(message.metadata.get("asked_by") or {})
    origin = origin or str(asked_by.get("origin") or "chat")
    if organisation_id is None and isinstance(asked_by.get("organisation_id"), int):
        organisation_id = asked_by["organisation_id"]

    transaction.on_commit(lambda: run_assistant.delay(message.pk, origin, organisation_id))


def note_typing(*, conversation: Conversation, channel: str) -> bool:
    """Tell the user's other tabs they are typing here (at most every 2 s per tab);
    the indicator expires by itself on the page. Returns whether it was sent."""
    if not cache.add(f"chat:typing:{channel}:{conversation.pk}", 1, TYPING_THROTTLE_SECONDS):
        return False
    send_now(conversation.group, typing_html(conversation, "you"), skip_channel=channel)
    return True


@transaction.atomic
def mark_read(*, conversation: Conversation, up_to: int) -> int:
    """The user saw the assistant's messages up to ``up_to``: mark them read."""
    rows = list(
        conversation.messages.filter(
            sender=Message.Sender.ASSISTANT,
            pk__lte=up_to,
            status__in=[Message.Status.SENT, Message.Status.DELIVERED],
        ).select_for_update()
    )
    for message in rows:
        message.status = Message.Status.READ
        message.save(update_fields=["status", "updated_at"])
        push_status(message)
    return len(rows)


def set_status(message: Message, status: str, *, only_from: tuple[str, ...]) -> bool:
    """Move ``message`` to ``status`` if it is in one of ``only_from`` (conditional
    update: concurrent movers cannot step it back); pushes the change after commit."""
    changed = Message.objects.filter(pk=message.pk, status__in=only_from).update(
        status=status, updated_at=timezone.now()
    )
    if changed:
        message.status = status
        push_status(message)
    return bool(changed)
