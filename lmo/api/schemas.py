"""What the API answers and accepts (pydantic, through django-ninja's Schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Path, Schema
from pydantic import Field

# Ids are 64-bit in the database: a larger one is invalid input, never a crash.
MAX_ID = 2**63 - 1
MAX_AMOUNT = 999_999_999_999.99  # 14 digits, 2 of them decimals


def id_in_path() -> Any:
    return Path(..., ge=1, le=MAX_ID)


class KeyInfo(Schema):
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime
    user: str
    organisation: str
    organisation_id: int


class ConversationOut(Schema):
    id: int
    title: str
    archived: bool
    created_at: datetime
    last_message_at: datetime | None


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_before: int | None = Field(
        description="Pass as ?before= for the next (older) page; null at the end."
    )


class ConversationIn(Schema):
    title: str = Field(default="", max_length=200)


class MessageOut(Schema):
    id: int
    sender: str
    content: str
    status: str
    parent_id: int | None
    answer_to_id: int | None
    created_at: datetime
    blocks: list[dict[str, Any]] = Field(default_factory=list)


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class MessageIn(Schema):
    content: str = Field(min_length=1, max_length=20000)
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class RunOut(Schema):
    id: int = Field(description="The id of the message this run answers.")
    conversation_id: int
    state: str = Field(description="queued, running, waiting, finished, stopped or failed")
    answer: MessageOut | None
    waiting: dict[str, Any] | None = None
    error: str | None = None


class PostedMessage(Schema):
    message: MessageOut
    run: RunOut


class ComputerAction(Schema):
    connector: str
    action: str


class ComputerOut(Schema):
    id: str
    name: str
    platform: str
    online: bool
    last_seen_at: datetime | None
    actions: list[ComputerAction]
