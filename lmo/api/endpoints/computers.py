"""The user's computers (scope ``computers:run``): live status and what they offer."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from agent_bridge.access import agents_for_user
from lmo.api.auth import require_scope
from lmo.api.models import Scope
from lmo.api.schemas import ComputerAction, ComputerOut

router = Router(tags=["computers"])


@router.get("/computers", response=list[ComputerOut], summary="List computers")
def list_computers(request: HttpRequest) -> list[ComputerOut]:
    require_scope(request, Scope.COMPUTERS_RUN)
    return [
        ComputerOut(
            id=str(agent.pk),
            name=agent.name,
            platform=agent.platform,
            online=agent.connected,
            last_seen_at=agent.last_seen_at,
            actions=[
                ComputerAction(connector=str(c.get("name", "")), action=str(a.get("name", "")))
                for c in agent.capabilities or ()
                for a in c.get("actions", ())
            ],
        )
        for agent in agents_for_user(request.user)
    ]
