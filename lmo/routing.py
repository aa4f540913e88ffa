from __future__ import annotations

from typing import Any

from activities.routing import websocket_urlpatterns as activities_ws
from agent_bridge.routing import websocket_urlpatterns as agent_bridge_ws
from chat.routing import websocket_urlpatterns as chat_ws
from lmo.live.routing import websocket_urlpatterns as live_ws
from notifications.routing import websocket_urlpatterns as notifications_ws
from permissions.routing import websocket_urlpatterns as permissions_ws

websocket_urlpatterns: list[Any] = [
    *live_ws,
    *chat_ws,
    *agent_bridge_ws,
    *activities_ws,
    *permissions_ws,
    *notifications_ws,
]
