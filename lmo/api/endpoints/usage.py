"""The caller's usage (any valid key): its user's figures in the key's organisation,
per day, key and model, and where the monthly quotas stand."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from lmo.api.auth import api_key
from lmo.api.schemas import QuotaOut, UsageFigures, UsageOut
from lmo.usage.access import figures_by, member_usage, since
from lmo.usage.charts import cost
from lmo.usage.quotas import quota_states

router = Router(tags=["usage"])


class UsageQuery(Schema):
    days: int = Field(30, ge=1, le=366, description="How many days back, today included.")


@router.get("/usage", response=UsageOut, summary="Your usage")
def usage(request: HttpRequest, params: Query[UsageQuery]) -> UsageOut:
    """Tokens as the provider reported them, model calls, API requests and machine
    commands of the key's user in its organisation, and the monthly quotas."""
    key = api_key(request)
    start: date = since(params.days)
    rows = member_usage(key.user_id, key.organisation_id).filter(day__gte=start)
    return UsageOut(
        organisation_id=key.organisation_id,
        since=start,
        totals=UsageFigures(**figures_by(rows)[0]),
        per_day=[UsageFigures(**row) for row in figures_by(rows, "day")],
        per_key=[UsageFigures(**row) for row in figures_by(rows, "key_prefix")],
        per_model=[
            UsageFigures(**row, estimated_cost=_cost(row))
            for row in figures_by(rows.exclude(model=""), "model")
        ],
        quotas=[
            QuotaOut(whose=s.whose, quota=s.quota, used=s.used, percent=s.percent)
            for s in quota_states(key.user_id, key.organisation_id)
        ],
    )


def _cost(row: dict[str, Any]) -> float | None:
    estimate = cost(row["model"], row["prompt_tokens"], row["completion_tokens"])
    return None if estimate is None else float(round(estimate, 6))
