"""Reads with authorization: another user's conversation or message is a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from chat.models import Conversation, Message


def get_conversation_for_user(user: Any, pk: Any) -> Conversation:
    try:
        return Conversation.objects.owned_by(user).get(pk=int(pk))
    except (Conversation.DoesNotExist, TypeError, ValueError):
        raise Http404("No such conversation.") from None


def get_message_for_user(user: Any, pk: Any) -> Message:
    try:
        return Message.objects.visible_to(user).select_related("conversation").get(pk=int(pk))
    except (Message.DoesNotExist, TypeError, ValueError):
        raise Http404("No such message.") from None
