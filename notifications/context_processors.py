from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.live import unread_count


def badge(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the top bar's badge (counted only if a page shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: unread_count(user.pk))}
