from __future__ import annotations

from typing import Any

from agent_bridge.routing import websocket_urlpatterns as agent_bridge_ws
from lmo.live.routing import websocket_urlpatterns as live_ws

websocket_urlpatterns: list[Any] = [*live_ws, *agent_bridge_ws]
