"""Reads of usage: a user's own, or an organisation's (figures only, for its managers)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from lmo.usage.models import UsageDay


def usage_for_user(user: Any) -> QuerySet[UsageDay]:
    return UsageDay.objects.filter(user=user)


def usage_for_organisation(organisation_id: int) -> QuerySet[UsageDay]:
    return UsageDay.objects.filter(organisation_id=organisation_id)


def month_start(today: date | None = None) -> date:
    return (today or timezone.now().date()).replace(day=1)


def tokens_this_month(rows: QuerySet[UsageDay]) -> int:
    totals = rows.filter(day__gte=month_start()).aggregate(
        p=Sum("prompt_tokens"), c=Sum("completion_tokens")
    )
    return int(totals["p"] or 0) + int(totals["c"] or 0)


def since(days: int) -> date:
    return timezone.now().date() - timedelta(days=days - 1)


FIGURES = ("prompt_tokens", "completion_tokens", "llm_calls", "api_requests", "machine_commands")


def figures_by(rows: QuerySet[UsageDay], *fields: str) -> list[dict[str, Any]]:
    """Every figure summed per value of ``fields`` (none: one row of totals)."""
    sums = {name: Sum(name) for name in FIGURES}
    if not fields:
        totals = rows.aggregate(**sums)
        return [{name: int(totals[name] or 0) for name in FIGURES}]
    return [
        {**{f: row[f] for f in fields}, **{name: int(row[name] or 0) for name in FIGURES}}
        for row in rows.values(*fields).annotate(**sums).order_by(*fields)
    ]


def member_usage(user_id: int, organisation_id: int) -> QuerySet[UsageDay]:
    """A member's own figures in one organisation (what an API key of theirs sees)."""
    return UsageDay.objects.filter(user_id=user_id, organisation_id=organisation_id)
