"""The handler behind a permission notification's buttons (registered in
``PermissionsConfig.ready``): the same decision as the chat card's."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from notifications.handlers import ActionRefused
from permissions.access import get_request_for_user
from permissions.actions.requests import decide_request
from permissions.exceptions import DecisionRefused, StepUpNeeded
from permissions.models import Origin
from permissions.notices import DECIDE, outcome_of

__all__ = ["DECIDE", "decide"]


def decide(user: Any, params: dict[str, Any]) -> str:
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
    return outcome_of(choice)
