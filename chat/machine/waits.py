"""What a chat answer waiting on a command shows (a permission request's card), and the
outcome it resumes with when that came before the wait was recorded."""

from __future__ import annotations

import uuid
from typing import Any

from permissions.live import card_html
from permissions.models import PermissionRequest
from permissions.waiting import settled_value


def already_settled(waiting: dict[str, Any]) -> Any:
    """The value to resume ``waiting`` with now, or None to keep waiting."""
    return settled_value(str(waiting.get("key", "")))


def waiting_card(waiting: dict[str, Any]) -> str:
    """The permission request's choices while the answer waits for them, else nothing."""
    if waiting.get("kind") != "permission":
        return ""
    try:
        request_id = uuid.UUID(str(waiting.get("request")))
    except ValueError:
        return ""
    request = (
        PermissionRequest.objects.select_related("agent", "grant").filter(pk=request_id).first()
    )
    return card_html(request) if request is not None else ""
