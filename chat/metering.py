"""Whose use an answer is (lmo.usage): the organisation it runs in and the API key that
asked for it ("" for the chat page). Its model calls and its machine commands count there."""

from __future__ import annotations

from dataclasses import dataclass

from chat.models import AssistantRun, Message
from lmo.organisations.access import current_organisation_id


@dataclass(frozen=True)
class UsageSlice:
    organisation_id: int
    key_prefix: str


def usage_slice(answer: Message) -> UsageSlice:
    run = AssistantRun.objects.filter(answer_id=answer.pk).only("organisation_id").first()
    organisation_id = run.organisation_id if run and run.organisation_id else None
    if organisation_id is None:
        organisation_id = current_organisation_id(answer.conversation.owner)
    question = answer.answer_to
    asked_by = (question.metadata.get("asked_by") or {}) if question else {}
    return UsageSlice(organisation_id=organisation_id, key_prefix=str(asked_by.get("key") or ""))


def usage_slice_of(message_id: int) -> UsageSlice:
    answer = Message.objects.select_related("conversation__owner", "answer_to").get(pk=message_id)
    return usage_slice(answer)
