"""Deciding how a notification reaches its user, from their preferences and the clock.

``plan_delivery`` is a pure function of the preferences, the priority and the moment, so
the whole matrix (category x channel x priority x quiet hours) is testable without a
server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from notifications.models import Category, CategoryPreference, NotificationSettings, Priority

EmailPlan = Literal["now", "digest"] | None


@dataclass(frozen=True)
class DeliveryPlan:
    in_app: bool  # counted in the badge and listed as unread
    toast: bool  # pops up on open pages now
    email: EmailPlan  # sent at once, held for the digest, or not at all


def default_preference(owner: Any, category: str) -> CategoryPreference:
    return CategoryPreference(owner=owner, category=category)


def preference_for(owner: Any, category: str) -> CategoryPreference:
    found = CategoryPreference.objects.filter(owner=owner, category=category).first()
    return found or default_preference(owner, category)


def preferences_for(owner: Any) -> dict[str, CategoryPreference]:
    """Every category's preference of ``owner`` (unsaved defaults where none is stored)."""
    stored = {p.category: p for p in CategoryPreference.objects.filter(owner=owner)}
    return {c: stored.get(c) or default_preference(owner, c) for c in Category.values}


def settings_for(owner: Any) -> NotificationSettings:
    found = NotificationSettings.objects.filter(owner=owner).first()
    return found or NotificationSettings(owner=owner)


def plan_delivery(
    *,
    preference: CategoryPreference,
    user_settings: NotificationSettings,
    priority: int,
    now: datetime,
    tz: Any,
    has_email: bool,
) -> DeliveryPlan:
    urgent = priority >= Priority.URGENT
    quiet = user_settings.is_quiet(now, tz) and not (urgent and user_settings.urgent_breaks_quiet)
    in_app = preference.in_app
    email: EmailPlan = None
    if has_email and preference.email and priority >= preference.email_min_priority:
        # Low priority is only ever summarised; anything held by quiet hours goes out in
        # the first digest after them.
        email = "digest" if quiet or priority <= Priority.LOW else "now"
    return DeliveryPlan(in_app=in_app, toast=in_app and not quiet, email=email)
