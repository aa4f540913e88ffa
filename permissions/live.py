"""The request card, rendered the same way for a page and pushed over the socket."""

from __future__ import annotations

from typing import Any

from lmo.live import push
from lmo.live.groups import conversation_group
from permissions.models import PermissionRequest


def card_context(request: PermissionRequest, **extra: Any) -> dict[str, Any]:
    from permissions.actions import requires_step_up
    from permissions.notices import describe

    return {
        "req": request,
        "command": describe(request),
        "step_up_possible": requires_step_up(request, PermissionRequest.Choice.ALWAYS),
        "scope_value": extra.pop("scope", None) or request.subject,
        "scopable": bool(request.subject),
        **extra,
    }


def card_html(request: PermissionRequest, *, oob: bool = False, **extra: Any) -> str:
    return push.render("permissions/_request.html", {**card_context(request, **extra), "oob": oob})


def push_request_on_commit(request: PermissionRequest) -> None:
    """Every page of the conversation shows the request as decided (or expired)."""
    if request.conversation_id is None:
        return
    push.send_on_commit(conversation_group(request.conversation_id), card_html(request, oob=True))
