from __future__ import annotations

from typing import Any

from django.urls import path

from agent_bridge.consumers import AgentConsumer

# No origin validator and no session middleware: agents authenticate with a bearer token.
websocket_urlpatterns: list[Any] = [path("ws/agent/", AgentConsumer.as_asgi())]
