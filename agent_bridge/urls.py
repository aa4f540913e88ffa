from __future__ import annotations

from typing import Any

app_name = "agent_bridge"
urlpatterns: list[Any] = []
