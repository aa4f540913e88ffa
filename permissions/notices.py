"""The urgent notification of a permission request, with the same four choices as its
chat card, and its handler."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404
from django.urls import reverse

from notifications.actions import notify, settle
from notifications.handlers import ActionRefused, NotificationAction
from notifications.models import Category, Priority
from permissions.access import get_request_for_user
from permissions.models import Origin, PermissionRequest

DECIDE = "permissions.decide"
OUTCOMES = {
    PermissionRequest.Choice.ONCE: "Allowed once.",
    PermissionRequest.Choice.WINDOW: "Allowed for 15 minutes.",
    PermissionRequest.Choice.ALWAYS: "Always allowed.",
    PermissionRequest.Choice.DENY: "Denied.",
}


def describe(request: PermissionRequest) -> str:
    """The exact command, untruncated."""
    params = json.dumps(request.params, indent=2, ensure_ascii=False, sort_keys=True)
    return f"{request.target}.{request.action} on {request.agent.name}\n{params}"


def _link(request: PermissionRequest) -> str:
    if request.conversation_id is not None:
        return reverse("chat:conversation", args=[request.conversation_id])
    return reverse("settings_tab", args=["permissions"])


def notify_request(request: PermissionRequest) -> None:
    """Inside the transaction that opened ``request``."""
    choices = [
        (PermissionRequest.Choice.ONCE, "primary"),
        (PermissionRequest.Choice.WINDOW, "secondary"),
        (PermissionRequest.Choice.ALWAYS, "secondary"),
        (PermissionRequest.Choice.DENY, "danger"),
    ]
    notify(
        owner=request.owner,
        category=Category.PERMISSION,
        priority=Priority.URGENT,
        title=f"Allow {request.target}.{request.action} on {request.agent.name}?",
        body=f"The assistant asks to run:\n{describe(request)}",
        link=_link(request),
        actions=[
            NotificationAction(
                key=str(choice),
                label=choice.label,
                handler=DECIDE,
                params={"request": str(request.pk), "choice": str(choice)},
                style=style,  # type: ignore[arg-type]
            )
            for choice, style in choices
        ],
        dedupe_key=request.dedupe_key,
    )


def settle_notice(request: PermissionRequest) -> None:
    """Decided or expired elsewhere: the notification shows it and loses its buttons."""
    if request.status == PermissionRequest.Status.EXPIRED:
        outcome = request.note or "Not answered."
    else:
        outcome = OUTCOMES.get(PermissionRequest.Choice(request.choice), "Decided.")
    settle(owner_id=request.owner_id, dedupe_key=request.dedupe_key, outcome=outcome)


def decide(user: Any, params: dict[str, Any]) -> str:
    from permissions.actions import DecisionRefused, StepUpNeeded, decide_request

    try:
        request = get_request_for_user(user, params.get("request"))
    except Http404 as exc:
        raise ActionRefused("That request no longer exists.") from exc
    choice = str(params.get("choice", ""))
    try:
        decided, done = decide_request(
            user=user, request=request, choice=choice, origin=Origin.NOTIFICATION
        )
    except StepUpNeeded as exc:
        raise ActionRefused(f"{exc} Open the request in the chat to enter it.") from exc
    except DecisionRefused as exc:
        raise ActionRefused(str(exc)) from exc
    if not done:
        raise ActionRefused(f"Already {decided.get_status_display().lower()}.")
    return OUTCOMES[PermissionRequest.Choice(choice)]
