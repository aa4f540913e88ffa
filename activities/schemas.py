"""One activity as any source sends it (agent frames, imports, the assistant, forms):
validated here, item by item, before anything is stored."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from activities.models import ActivityType
from lmo.text import refuse_nul

MAX_DETAILS_BYTES = 16 * 1024
TAG = re.compile(r"^[\w][\w .&+-]{0,39}$")


def clean_tag(value: str) -> str:
    tag = re.sub(r"\s+", " ", value.strip().lower().lstrip("#"))
    if not TAG.match(tag):
        raise ValueError(f"{value!r} is not a tag (letters, digits, spaces, . & + -; up to 40)")
    return tag


def _surely_small(value: dict[str, Any]) -> bool:
    """A cheap bound that spares encoding the usual few short scalar fields."""
    if len(value) > 16:
        return False
    for key, item in value.items():
        if len(key) > 100:
            return False
        if isinstance(item, str):
            if len(item) > 500:
                return False
        elif not isinstance(item, int | float | bool) and item is not None:
            return False
    return True


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=255)
    type: Literal["financial", "job", "browser", "system", "other"]
    # Aware datetimes are kept; naive ones and bare dates are the user's local time
    # (a bare date is placed at noon so it stays on its day in any nearby zone).
    timestamp: datetime | date
    application: str = Field(default="", max_length=120)
    description: str = Field(min_length=1, max_length=500)
    details: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list, max_length=20)
    amount: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)
    currency: str = Field(default="", max_length=3)
    category: str = Field(default="", max_length=64)
    counterparty: str = Field(default="", max_length=200)
    company: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    status: Literal[
        "", "applied", "screening", "interview", "offer", "accepted", "rejected", "withdrawn"
    ] = ""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any, info: ValidationInfo) -> Any:
        return refuse_nul(value, info.field_name or "")

    @field_validator("timestamp", mode="before")
    @classmethod
    def _bare_date(cls, value: Any) -> Any:
        # "2026-01-15" is a day, not midnight (pydantic would read it as a datetime)
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return date.fromisoformat(value.strip())
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return sorted({clean_tag(v) for v in value})

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Za-z]{3}", value):
            raise ValueError("a currency is a 3-letter code such as EUR")
        return value.upper()

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        return re.sub(r"\s+", " ", value.lower())

    @field_validator("details")
    @classmethod
    def _details(cls, value: dict[str, Any]) -> dict[str, Any]:
        import json

        if _surely_small(value):
            return value
        if len(json.dumps(value, default=str)) > MAX_DETAILS_BYTES:
            raise ValueError(f"details are larger than {MAX_DETAILS_BYTES // 1024} KB")
        return value

    @model_validator(mode="after")
    def _typed(self) -> ActivityIn:
        if self.type == ActivityType.FINANCIAL and self.amount is None:
            raise ValueError("a financial activity needs an amount")
        if self.type != ActivityType.FINANCIAL and self.amount is not None:
            raise ValueError("only financial activities have an amount")
        if self.type == ActivityType.JOB:
            if not self.company:
                raise ValueError("a job application needs a company")
            if not self.status:
                self.status = "applied"
        elif self.status:
            raise ValueError("only job applications have a status")
        return self

    def occurred_at(self, tz: ZoneInfo) -> datetime:
        value = self.timestamp
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=tz)
        else:
            moment = datetime.combine(value, time(12), tzinfo=tz)
        moment = moment.astimezone(UTC)
        if moment > datetime.now(UTC) + timedelta(days=1):
            raise ValueError("the time is in the future")
        if moment.year < 1970:
            raise ValueError("the time is before 1970")
        return moment


def first_error(exc: Exception) -> str:
    """A one-line reason from a pydantic ValidationError (or any error)."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        return f"{where}: {message}" if where else message
    return str(exc)
