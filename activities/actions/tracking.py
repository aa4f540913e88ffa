"""Tracking preferences, retention and deleting everything."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from activities.live import push_added_on_commit
from activities.models import Activity, ActivityType, StatusChange, Tag, TrackingPreference
from agent_bridge.agent_config import send_config_on_commit

MAX_RETENTION_DAYS = 36_500


@transaction.atomic
def save_tracking(
    *,
    owner: Any,
    disabled_types: list[str],
    disabled_applications: list[str],
    retention_days: dict[str, int],
) -> TrackingPreference:
    """Store the switches and retention; connected computers get the new switches."""
    unknown = set(disabled_types) - set(ActivityType.values)
    if unknown:
        raise ValueError(f"unknown activity types: {', '.join(sorted(unknown))}")
    for type_, days in retention_days.items():
        if type_ not in ActivityType.values or not 1 <= days <= MAX_RETENTION_DAYS:
            raise ValueError(f"retention for {type_} must be 1 to {MAX_RETENTION_DAYS} days")
    apps = sorted({a.strip()[:120] for a in disabled_applications if a.strip()}, key=str.lower)
    prefs, _ = TrackingPreference.objects.select_for_update().get_or_create(owner=owner)
    prefs.disabled_types = sorted(set(disabled_types))
    prefs.disabled_applications = apps
    prefs.retention_days = dict(sorted(retention_days.items()))
    prefs.save()
    send_config_on_commit(owner)
    return prefs


def delete_activities(qs: QuerySet[Activity]) -> int:
    """Delete in a few statements, however many rows (Django's cascade would load every
    activity into memory first): tags and status history, then the activities."""
    with transaction.atomic():
        ids = qs.values("pk")
        Tag.objects.filter(activity__in=ids).delete()
        StatusChange.objects.filter(activity__in=ids).delete()
        return int(qs._raw_delete(qs.db))


@transaction.atomic
def delete_all_activities(*, owner: Any) -> int:
    deleted = delete_activities(Activity.objects.filter(owner=owner))
    if deleted:
        push_added_on_commit(owner_id=owner.pk, count=0)
    return deleted


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete what is older than each user's retention for its type (the daily task)."""
    now = now or timezone.now()
    removed = 0
    prefs = TrackingPreference.objects.exclude(retention_days={}).only("owner_id", "retention_days")
    for pref in prefs.iterator():
        for type_, days in pref.retention_days.items():
            cutoff = now - timedelta(days=int(days))
            removed += delete_activities(
                Activity.objects.filter(owner_id=pref.owner_id, type=type_, occurred_at__lt=cutoff)
            )
    return removed
