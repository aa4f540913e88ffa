"""Unusual spending: a category whose spending this month already exceeds its usual month
(the median of the up to three months before, counted from the user's first month of
data) by the margin the user set. Checked daily; told once per category, currency and
month, in one sentence with the figures."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Min, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from notifications.actions import notify
from notifications.models import Category
from notifications.preferences import settings_for

PREVIOUS_MONTHS = 3


def _month(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _local_start(day: date, tz: Any) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def spending_by_month(
    owner: Any, since: date, tz: Any
) -> dict[tuple[str, str], dict[date, Decimal]]:
    """Money out per (category, currency) and local month, from ``since``."""
    rows = (
        Activity.objects.owned_by(owner)
        .financial()
        .filter(amount__lt=0, occurred_at__gte=_local_start(since, tz))
        .exclude(category="")
        .annotate(month=TruncMonth("occurred_at", tzinfo=tz))
        .values("category", "currency", "month")
        .annotate(total=Sum("amount"))
    )
    out: dict[tuple[str, str], dict[date, Decimal]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        out[(row["category"], row["currency"])][month] = -row["total"]
    return out


def check_unusual_spending(owner: Any, *, now: datetime | None = None) -> int:
    """Notify about each category spending unusually this month; returns how many."""
    prefs = settings_for(owner)
    if not prefs.unusual_spending:
        return 0
    tz = owner.tzinfo
    today = (now or timezone.now()).astimezone(tz).date()
    this_month = _month(today)
    first = Activity.objects.owned_by(owner).financial().aggregate(first=Min("occurred_at"))
    if first["first"] is None:
        return 0
    first_month = _month(first["first"].astimezone(tz).date())
    months = [
        m
        for m in (_month(today, back) for back in range(1, PREVIOUS_MONTHS + 1))
        if m >= first_month
    ]
    if not months:
        return 0  # the first month of data: nothing to compare with yet
    margin = Decimal(prefs.unusual_spending_percent) / 100
    told = 0
    for (category, currency), totals in spending_by_month(owner, months[-1], tz).items():
        spent = totals.get(this_month, Decimal(0))
        usual = Decimal(statistics.median(totals.get(m, Decimal(0)) for m in months))
        if usual <= 0 or spent <= usual * (1 + margin):
            continue
        above = int((spent / usual - 1) * 100)
        span = f"{months[-1]:%B} to {months[0]:%B}" if len(months) > 1 else f"{months[0]:%B}"
        query = urlencode({"type": "financial", "q": category, "start": this_month.isoformat()})
        notify(
            owner=owner,
            category=Category.TRANSACTION,
            title=f"Unusual spending on {category}: {spent:,.2f} {currency} this month",
            body=(
                f"{spent:,.2f} {currency} on {category} since {this_month:%-d %B}, "
                f"{above}% above your usual {usual:,.2f} {currency} a month "
                f"(the median of {span})."
            ),
            link=f"{reverse('activities:dashboard')}?{query}",
            dedupe_key=f"unusual:{this_month:%Y-%m}:{currency}:{category}"[:200],
        )
        told += 1
    return told


def owners_spending_lately(now: datetime | None = None) -> list[int]:
    """Users with money out in the last month (the only ones the daily check reads)."""
    since = (now or timezone.now()) - timedelta(days=32)
    recent = Activity.objects.financial().filter(amount__lt=0, occurred_at__gte=since)
    return sorted(set(recent.values_list("owner_id", flat=True).distinct()))
