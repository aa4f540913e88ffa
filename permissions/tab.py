"""Settings → Permissions: pending requests, then live grants by computer and connector."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.http import HttpRequest

from permissions.access import computers_for_user
from permissions.actions.grants import EXPIRY_CHOICES
from permissions.live import card_context
from permissions.models import Grant, PermissionRequest


def _computer(grant: Grant) -> str:
    return grant.agent.name if grant.agent is not None else "Any computer"


def permissions_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    pending = [
        card_context(r)
        for r in PermissionRequest.objects.owned_by(user)
        .pending()
        .select_related("agent")
        .order_by("created_at")
    ]
    grants = sorted(
        Grant.objects.owned_by(user).live().select_related("agent"),
        key=lambda g: (_computer(g), g.target, g.action, g.created_at),
    )
    groups = [
        {
            "computer": computer,
            "connectors": [
                {"target": target, "grants": list(items)}
                for target, items in groupby(by_computer, key=lambda g: g.target)
            ],
        }
        for computer, by_computer in groupby(grants, key=_computer)
    ]
    return {
        "pending_cards": pending,
        "grant_groups": groups,
        "has_grants": bool(grants),
        "expiry_choices": list(EXPIRY_CHOICES),
        "agents": computers_for_user(user),
    }
