"""Reads of activities for a user: another user's activity is a 404."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from activities.models import Activity, ActivityQuerySet


def activities_for_user(user: Any) -> ActivityQuerySet:
    return Activity.objects.owned_by(user)


def get_activity_for_user(user: Any, pk: Any) -> Activity:
    return get_object_or_404(
        activities_for_user(user)
        .select_related("agent")
        .prefetch_related("tags", "status_changes"),
        pk=pk,
    )


def applications_for_user(user: Any) -> list[str]:
    """The applications the user's activities came from (for filters and tracking)."""
    return list(
        activities_for_user(user)
        .exclude(application="")
        .order_by("application")
        .values_list("application", flat=True)
        .distinct()[:200]
    )
