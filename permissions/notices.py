"""The notifications of permissions: the urgent one of a permission request (with the same
four choices as its chat card; permissions.handlers answers them) and a command that failed
or timed out."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.urls import reverse

from notifications.actions import notify, settle
from notifications.handlers import NotificationAction
from notifications.models import Category, Priority
from permissions.models import CommandRun, PermissionRequest

DECIDE = "permissions.decide"


def outcome_of(choice: str) -> str:
    if choice == PermissionRequest.Choice.WINDOW:
        return f"Allowed for {settings.LMO_PERMISSION_WINDOW_MINUTES} minutes."
    outcomes: dict[str, str] = {
        PermissionRequest.Choice.ONCE: "Allowed once.",
        PermissionRequest.Choice.ALWAYS: "Always allowed.",
        PermissionRequest.Choice.DENY: "Denied.",
    }
    return outcomes.get(choice, "")


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
        body=f"{request.client or 'The assistant'} asks to run:\n{describe(request)}",
        link=_link(request),
        actions=[
            NotificationAction(
                key=str(choice),
                label=PermissionRequest.label_of(choice),
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
        outcome = outcome_of(request.choice) or "Decided."
    settle(owner_id=request.owner_id, dedupe_key=request.dedupe_key, outcome=outcome)


def notify_run_failed(run: CommandRun, owner: Any) -> None:
    what = f"{run.target}.{run.action}"
    if run.state == CommandRun.State.TIMED_OUT:
        title = f"A command on {run.agent.name} timed out"
    else:
        title = f"A command on {run.agent.name} failed"
    notify(
        owner=owner,
        category=Category.COMMAND,
        priority=Priority.NORMAL,
        title=title,
        body=f"{what}: {run.error or 'no details'}",
        link=reverse("agent_bridge:runs", args=[run.agent_id]),
        dedupe_key=f"run-failed:{run.pk}",
    )
