"""The embedded mode's channel layer.

Channels' InMemoryChannelLayer keeps asyncio queues that belong to the server's event
loop. Task threads (the in-process Celery stand-in) send from their own loops, and an
asyncio queue woken from a foreign thread may not notice until something else wakes its
loop, so a streamed token could sit there. This layer hands sends from other loops to the
server's loop, where the queues live."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from channels.layers import InMemoryChannelLayer


class ThreadSafeInMemoryChannelLayer(InMemoryChannelLayer):
    _home: asyncio.AbstractEventLoop | None = None

    async def _at_home(self, send: Coroutine[Any, Any, None]) -> None:
        """Run ``send`` on the server's loop (here, if this is it or there is none yet)."""
        home = self._home
        if home is None or home.is_closed() or not home.is_running():
            return await send
        if asyncio.get_running_loop() is home:
            return await send
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(send, home))

    async def receive(self, channel: str) -> Any:
        self._home = asyncio.get_running_loop()
        return await super().receive(channel)

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        await self._at_home(super().send(channel, message))

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await self._at_home(super().group_send(group, message))
