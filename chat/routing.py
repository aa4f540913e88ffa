from __future__ import annotations

from typing import Any

# WebSocket routes of this app (none yet); lmo.routing includes them.
websocket_urlpatterns: list[Any] = []
