"""Reading notifications on a user's behalf (another user's are a 404)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from notifications.models import Category, Notification, NotificationQuerySet

PAGE_SIZE = 25


def get_notification_for_user(user: Any, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, owner=user)


def notifications_for_user(
    user: Any, *, category: str = "", unread: bool = False
) -> NotificationQuerySet:
    """The centre's list, newest first, filtered; unknown categories filter nothing."""
    found = Notification.objects.for_owner(user)
    if category in Category.values:
        found = found.filter(category=category)
    if unread:
        found = found.unread()
    return found.order_by("-created_at", "-pk")
