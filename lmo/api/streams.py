"""Following assistant runs from an async view: subscribe to a conversation's run
events (chat.run_events) and read them with a keep-alive tick, so a stream waiting for
the user's permission is not cut by a proxy's idle timeout."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings

from chat.run_events import EVENT_TYPE, RunEvent, run_events_group


class RunFollower:
    def __init__(self, layer: Any, channel: str) -> None:
        self.layer = layer
        self.channel = channel
        self._pending: asyncio.Future[Any] | None = None

    async def next(self, run_id: int) -> RunEvent | None:
        """The next event of ``run_id``, or None after a keep-alive interval of silence."""
        deadline = asyncio.get_running_loop().time() + settings.LMO_API_KEEPALIVE_SECONDS
        while True:
            if self._pending is None:
                # One receive is kept across ticks: cancelling a layer receive is costly.
                self._pending = asyncio.ensure_future(self.layer.receive(self.channel))
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return None
            done, _ = await asyncio.wait({self._pending}, timeout=left)
            if not done:
                return None
            message = self._pending.result()
            self._pending = None
            if message.get("type") != EVENT_TYPE:
                continue
            event = RunEvent.model_validate(message["event"])
            if event.run == run_id:
                return event

    def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()


@asynccontextmanager
async def follow(conversation_id: int) -> AsyncIterator[RunFollower]:
    layer = get_channel_layer()
    assert layer is not None
    channel = await layer.new_channel()
    group = run_events_group(conversation_id)
    await layer.group_add(group, channel)
    follower = RunFollower(layer, channel)
    try:
        yield follower
    finally:
        follower.close()
        await layer.group_discard(group, channel)


def sse(data: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def comment(text: str) -> bytes:
    return f": {text}\n\n".encode()
