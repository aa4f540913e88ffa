from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from django.urls import path

from lmo.live.consumers import LiveConsumer
from lmo.live.origin import strict_allowed_hosts_origin_validator

websocket_urlpatterns = [
    path(
        "ws/live/",
        strict_allowed_hosts_origin_validator(AuthMiddlewareStack(LiveConsumer.as_asgi())),
    ),
]
