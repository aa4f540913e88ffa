"""Settings → Apps."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from agent_bridge.access import agents_for_user


def apps_context(request: HttpRequest) -> dict[str, Any]:
    return {"agents": agents_for_user(request.user), "server_url": request.build_absolute_uri("/")}
