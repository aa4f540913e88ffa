"""What the API answers and accepts (pydantic, through django-ninja's Schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Path, Schema
from pydantic import Field, ValidationInfo, field_validator

from lmo.text import NOT_BLANK_PATTERN, refuse_nul

# Ids are 64-bit in the database: a larger one is invalid input, never a crash.
MAX_ID = 2**63 - 1
MAX_AMOUNT = 999_999_999_999.99  # 14 digits, 2 of them decimals


def id_in_path() -> Any:
    return Path(..., ge=1, le=MAX_ID)


class InputSchema(Schema):
    """A request body or query: no text in it may hold a NUL (a 422 naming the field)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any, info: ValidationInfo) -> Any:
        return refuse_nul(value, info.field_name or "")


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


class ConversationIn(InputSchema):
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


class MessageIn(InputSchema):
    content: str = Field(
        min_length=1,
        max_length=20000,
        description="Not only spaces.",
        json_schema_extra={"pattern": NOT_BLANK_PATTERN},  # checked by chat's action
    )
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


class UsageFigures(Schema):
    day: date | None = None
    key_prefix: str | None = Field(
        default=None, description="The API key's visible prefix; empty for LMO's own pages."
    )
    model: str | None = None
    prompt_tokens: int
    completion_tokens: int
    llm_calls: int
    api_requests: int
    machine_commands: int
    estimated_cost: float | None = Field(
        default=None, description="Per model, from the server's price table (LMO_LLM_PRICES)."
    )


class QuotaOut(Schema):
    whose: str = Field(description="organisation or member")
    quota: int = Field(description="Tokens per calendar month.")
    used: int
    percent: int


class UsageOut(Schema):
    organisation_id: int
    since: date
    totals: UsageFigures
    per_day: list[UsageFigures]
    per_key: list[UsageFigures]
    per_model: list[UsageFigures]
    quotas: list[QuotaOut]
