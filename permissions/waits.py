"""How the chat waits on a permission request: the card it shows meanwhile, and the
decision looked up when it came before the run recorded its wait."""

from __future__ import annotations

import uuid
from typing import Any

from agent_bridge.actions.dispatch import PERMISSION_KIND
from chat.pipeline.waiting import register_card, register_resolver
from permissions.live import card_html
from permissions.models import PermissionRequest


def _decided(key: str) -> Any:
    request_id = key.removeprefix("perm:")
    request = (
        PermissionRequest.objects.filter(pk=request_id)
        .exclude(status=PermissionRequest.Status.PENDING)
        .first()
    )
    return None if request is None else {"request": str(request.pk), "decision": request.status}


def _card(waiting: dict[str, Any]) -> str:
    try:
        request_id = uuid.UUID(str(waiting.get("request")))
    except ValueError:
        return ""
    request = (
        PermissionRequest.objects.select_related("agent", "grant").filter(pk=request_id).first()
    )
    return card_html(request) if request is not None else ""


def register() -> None:
    register_resolver(PERMISSION_KIND, _decided)
    register_card(PERMISSION_KIND, _card)
