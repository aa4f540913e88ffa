"""Sending to the channel layer from synchronous code (tasks, actions).

``async_to_sync`` starts a fresh event loop per call outside a server, and a Redis
channel layer opens its connections per event loop: every send would reconnect. One
long-lived loop thread per process keeps the layer's connections and sends in order."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from channels.layers import get_channel_layer

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
SEND_TIMEOUT = 10.0


def _sender_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="lmo-layer-sender", daemon=True).start()
            _loop = loop
        return _loop


def group_send_sync(group: str, event: dict[str, Any]) -> None:
    """``group_send`` from sync code; returns once the layer has taken the event."""
    layer = get_channel_layer()
    if layer is None:
        return
    future = asyncio.run_coroutine_threadsafe(layer.group_send(group, event), _sender_loop())
    future.result(SEND_TIMEOUT)
