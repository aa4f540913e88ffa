"""Conversation lifecycle: new, rename, archive, delete."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chat.errors import ChatInputError
from chat.live import push_conversation_item, push_conversation_removed
from chat.models import AssistantRun, Conversation
from permissions.actions import withdraw_requests


def create_conversation(*, user: Any, title: str = "") -> Conversation:
    return Conversation.objects.create(owner=user, title=_clean_title(title))


@transaction.atomic
def rename_conversation(*, conversation: Conversation, title: str) -> Conversation:
    title = _clean_title(title)
    if not title:
        raise ChatInputError("A title cannot be empty.")
    conversation.title = title
    conversation.save(update_fields=["title", "updated_at"])
    push_conversation_item(conversation)
    return conversation


@transaction.atomic
def set_archived(*, conversation: Conversation, archived: bool) -> Conversation:
    conversation.archived = archived
    conversation.save(update_fields=["archived", "updated_at"])
    return conversation


@transaction.atomic
def delete_conversation(*, conversation: Conversation) -> None:
    from chat.pipeline.checkpoint import get_checkpointer

    thread_id = conversation.thread_id
    dom_id = conversation.dom_id
    owner_id = conversation.owner_id
    unfinished = conversation.assistant_runs.exclude(state=AssistantRun.State.FINISHED)
    for answer_id in unfinished.values_list("answer_id", flat=True):
        # Its permission request, if it asked one, is no longer wanted.
        withdraw_requests(
            message_id=answer_id, note="The conversation was deleted, so it did not run."
        )
    conversation.delete()
    push_conversation_removed(owner_id=owner_id, dom_id=dom_id)
    # The graph's checkpoints go too: nothing of a deleted conversation stays behind.
    transaction.on_commit(lambda: get_checkpointer().delete_thread(thread_id))


def title_from(content: str) -> str:
    first = next((line.strip() for line in content.splitlines() if line.strip()), "")
    return first if len(first) <= 60 else first[:59].rstrip() + "…"


def _clean_title(title: str) -> str:
    return " ".join((title or "").split())[:200]
