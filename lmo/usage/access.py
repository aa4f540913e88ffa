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
