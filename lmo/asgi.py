"""ASGI entry point: Django for HTTP, Channels for WebSockets (served by Daphne), and the
MCP endpoint (``/mcp`` and its metadata: lmo.mcp_server) beside Django."""

from __future__ import annotations

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lmo.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from lmo.mcp_server import app as mcp  # noqa: E402
from lmo.routing import websocket_urlpatterns  # noqa: E402


async def http(scope: Any, receive: Any, send: Any) -> None:
    if mcp.handles(scope["path"]):
        await mcp.application(scope, receive, send)
    else:
        await django_asgi_app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http,
        # Each route brings its own checks: the page socket checks origin and session,
        # the agent socket (agent_bridge) authenticates a bearer token instead.
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
