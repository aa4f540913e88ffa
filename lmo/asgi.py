"""ASGI entry point: Django for HTTP, Channels for WebSockets (served by Daphne)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lmo.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from lmo.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Each route brings its own checks: the page socket checks origin and session,
        # the agent socket (agent_bridge) authenticates a bearer token instead.
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
