"""Settings → API: your keys (in every organisation), and their recent requests."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lmo.api.forms import KeyForm
from lmo.api.models import ApiKey, RequestLog

RECENT_REQUESTS = 25


def tab_context(request: HttpRequest, form: KeyForm | None = None) -> dict[str, Any]:
    user: Any = request.user
    keys = list(
        ApiKey.objects.filter(user=user).select_related("organisation", "mcp_connection__client")
    )
    return {
        # An MCP client the user connected (OAuth) acts through a key of its own.
        "api_keys": [k for k in keys if not hasattr(k, "mcp_connection")],
        "mcp_clients": [k for k in keys if hasattr(k, "mcp_connection")],
        "mcp_url": str(settings.LMO_PUBLIC_URL).rstrip("/") + "/mcp",
        "key_form": form or KeyForm(),
        "recent_requests": list(
            RequestLog.objects.filter(api_key__user=user).select_related("api_key")[
                :RECENT_REQUESTS
            ]
        ),
        "api_base": str(settings.LMO_PUBLIC_URL).rstrip("/") + "/api/v1",
        "log_days": settings.LMO_REQUEST_LOG_DAYS,
    }
