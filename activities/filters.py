"""The dashboard's filters, read from the query string (so a view is shareable and the
back button works) and applied to a user's activities in SQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Q
from django.utils import timezone

from activities.models import ActivityQuerySet, ActivityType

BUCKETS = (("day", "Day"), ("week", "Week"), ("month", "Month"))
VIEWS = (
    ("financial", "Spending"),
    ("jobs", "Job applications"),
    ("timeline", "All activities"),
    ("time", "Time"),
)


class FilterForm(forms.Form):
    view = forms.ChoiceField(choices=VIEWS, required=False)
    type = forms.MultipleChoiceField(choices=ActivityType.choices, required=False)
    app = forms.CharField(required=False, max_length=120, label="Application")
    start = forms.DateField(required=False, label="From")
    end = forms.DateField(required=False, label="To")
    tag = forms.CharField(required=False, max_length=40)
    min = forms.DecimalField(
        required=False, min_value=0, max_digits=14, decimal_places=2, label="Amount from"
    )
    max = forms.DecimalField(
        required=False, min_value=0, max_digits=14, decimal_places=2, label="Amount to"
    )
    currency = forms.CharField(required=False, max_length=3)
    q = forms.CharField(required=False, max_length=200, label="Search")
    by = forms.ChoiceField(choices=BUCKETS, required=False, label="Group by")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        low, high = data.get("min"), data.get("max")
        if low is not None and high is not None and low > high:
            self.add_error("max", "The upper amount is below the lower one.")
        return data


class Filters:
    """Cleaned filters; invalid fields are dropped (and their errors shown)."""

    def __init__(self, params: Any, tz: Any) -> None:
        self.form = FilterForm(params)
        self.form.is_valid()
        data = getattr(self.form, "cleaned_data", {})
        errors = set(self.form.errors)
        self.tz = tz
        self.view: str = (data.get("view") if "view" not in errors else "") or "financial"
        self.types: list[str] = list(data.get("type") or []) if "type" not in errors else []
        self.app: str = data.get("app") or ""
        self.start = data.get("start") if not errors & {"start", "end"} else None
        self.end = data.get("end") if not errors & {"start", "end"} else None
        self.tag: str = (data.get("tag") or "").strip().lower()
        bad_amounts = bool(errors & {"min", "max"})
        self.min: Decimal | None = None if bad_amounts else data.get("min")
        self.max: Decimal | None = None if bad_amounts else data.get("max")
        self.currency: str = (data.get("currency") or "").upper()
        self.q: str = (data.get("q") or "").strip()
        self.by: str = data.get("by") or "month"

    def apply(self, qs: ActivityQuerySet) -> ActivityQuerySet:
        if self.types:
            qs = qs.filter(type__in=self.types)
        if self.app:
            qs = qs.filter(application=self.app)
        if self.start:
            qs = qs.filter(occurred_at__gte=self._midnight(self.start))
        if self.end:
            qs = qs.filter(occurred_at__lt=self._midnight(self.end, days=1))
        if self.tag:
            qs = qs.filter(tags__name=self.tag)
        if self.min is not None:
            qs = qs.filter(Q(amount__gte=self.min) | Q(amount__lte=-self.min))
        if self.max is not None:
            qs = qs.filter(amount__lte=self.max, amount__gte=-self.max)
        if self.currency:
            qs = qs.filter(currency=self.currency)
        if self.q:
            qs = qs.search(self.q)
        return qs

    def _midnight(self, day: Any, days: int = 0) -> Any:
        from datetime import datetime, time, timedelta

        return timezone.make_aware(datetime.combine(day + timedelta(days=days), time()), self.tz)

    def query(self, **override: Any) -> str:
        """The query string of these filters (with ``override``), for links and the URL."""
        params: list[tuple[str, str]] = []
        values = {
            "view": self.view,
            "app": self.app,
            "start": self.start,
            "end": self.end,
            "tag": self.tag,
            "min": self.min,
            "max": self.max,
            "currency": self.currency,
            "q": self.q,
            "by": self.by,
        }
        values.update(override)
        for key, value in values.items():
            if value not in (None, ""):
                params.append((key, str(value)))
        for type_ in override.get("type", self.types):
            params.append(("type", type_))
        return urlencode(params)

    @property
    def active(self) -> bool:
        return bool(
            self.types
            or self.app
            or self.start
            or self.end
            or self.tag
            or self.q
            or self.min is not None
            or self.max is not None
            or self.currency
        )
