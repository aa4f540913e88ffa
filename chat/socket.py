"""Handlers of the chat's frames on the page socket: parse, authorize, call an action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.db import database_sync_to_async
from django.http import Http404

from chat import actions
from chat.access import get_conversation_for_user, get_message_for_user
from chat.errors import ChatInputError
from chat.frames import (
    AckFrame,
    JoinedFrame,
    JoinFrame,
    LeaveFrame,
    ReadFrame,
    SendFrame,
    StopFrame,
    TypingFrame,
)
from chat.live import message_html
from chat.models import Conversation
from lmo.live.groups import conversation_group

if TYPE_CHECKING:
    from lmo.live.consumers import LiveConsumer

NOT_FOUND = "No such conversation."
CATCH_UP_LIMIT = 50  # more than that, and the page is better reloaded by the person


def _group(consumer: LiveConsumer, conversation_id: int) -> str | None:
    """The conversation's group if this socket joined it (joining checked ownership)."""
    group = conversation_group(conversation_id)
    return group if group in consumer.groups_joined else None


async def join(consumer: LiveConsumer, frame: JoinFrame) -> None:
    try:
        conversation = await database_sync_to_async(get_conversation_for_user)(
            consumer.user, frame.conversation
        )
    except Http404:
        await consumer.send_error("not_found", NOT_FOUND, ref=str(frame.conversation))
        return
    await consumer.join(conversation.group)
    if frame.after is not None:
        # Joined first, read second: what is written from now on is pushed, what was
        # written before is in this read (the page replaces a message it already has).
        for html in await database_sync_to_async(_written_after)(conversation, frame.after):
            await consumer.send(text_data=html)
    await consumer.send_frame(JoinedFrame(conversation=conversation.pk))


def _written_after(conversation: Conversation, after: int) -> list[str]:
    rows = conversation.messages.filter(pk__gt=after).select_related("run", "conversation")
    return [message_html(m) for m in rows.order_by("pk")[:CATCH_UP_LIMIT]]


async def leave(consumer: LiveConsumer, frame: LeaveFrame) -> None:
    group = _group(consumer, frame.conversation)
    if group is not None:
        await consumer.leave(group)


@database_sync_to_async
def _send(consumer: LiveConsumer, frame: SendFrame) -> actions.Posted:
    conversation = get_conversation_for_user(consumer.user, frame.conversation)
    return actions.post_user_message(
        conversation=conversation,
        content=frame.content,
        client_id=frame.client_id,
        parent_id=frame.parent,
    )


async def send(consumer: LiveConsumer, frame: SendFrame) -> None:
    try:
        posted = await _send(consumer, frame)
    except Http404:
        await consumer.send_error("not_found", NOT_FOUND, ref=frame.client_id)
        return
    except ChatInputError as exc:
        await consumer.send_error("invalid_input", str(exc), ref=frame.client_id)
        return
    await consumer.send_frame(
        AckFrame(client_id=frame.client_id, message=posted.message.pk, duplicate=not posted.created)
    )


@database_sync_to_async
def _conversation(consumer: LiveConsumer, pk: int) -> Conversation:
    return get_conversation_for_user(consumer.user, pk)


async def typing(consumer: LiveConsumer, frame: TypingFrame) -> None:
    if _group(consumer, frame.conversation) is None:
        await consumer.send_error("not_found", NOT_FOUND, ref=str(frame.conversation))
        return
    conversation = await _conversation(consumer, frame.conversation)
    await database_sync_to_async(actions.note_typing)(
        conversation=conversation, channel=consumer.channel_name
    )


async def read(consumer: LiveConsumer, frame: ReadFrame) -> None:
    try:
        conversation = await _conversation(consumer, frame.conversation)
    except Http404:
        await consumer.send_error("not_found", NOT_FOUND, ref=str(frame.conversation))
        return
    await database_sync_to_async(actions.mark_read)(conversation=conversation, up_to=frame.up_to)


async def stop(consumer: LiveConsumer, frame: StopFrame) -> None:
    try:
        message = await database_sync_to_async(get_message_for_user)(consumer.user, frame.message)
    except Http404:
        await consumer.send_error("not_found", "No such message.", ref=str(frame.message))
        return
    await database_sync_to_async(actions.stop_answer)(answer=message)


def register() -> None:
    from lmo.live.frames import register_frame

    register_frame(JoinFrame, join)
    register_frame(LeaveFrame, leave)
    register_frame(SendFrame, send)
    register_frame(TypingFrame, typing)
    register_frame(ReadFrame, read)
    register_frame(StopFrame, stop)
