from __future__ import annotations

import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from pydantic import ValidationError

from lmo.live.auth import refusal_code
from lmo.live.events import LiveFragment, LivePong
from lmo.live.frames import (
    MAX_FRAME_BYTES,
    ErrorFrame,
    PingFrame,
    PongFrame,
    _Frame,
    client_frame_adapter,
)
from lmo.live.groups import user_group

log = logging.getLogger(__name__)


class LiveConsumer(AsyncWebsocketConsumer):
    """One per open page: joins the user's group and relays what apps send to it."""

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        code = await database_sync_to_async(refusal_code)(user, self.scope.get("session"))
        if code is not None:
            # Accept-then-close so the browser sees our close code (a refused handshake is
            # only ever 1006, which the page would retry forever).
            await self.accept()
            await self.close(code=code)
            return
        assert user is not None
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.group is None:
            return
        raw = text_data if text_data is not None else (bytes_data or b"").decode("utf-8", "replace")
        if len(raw.encode()) > MAX_FRAME_BYTES:
            await self._send_frame(
                ErrorFrame(
                    code="too_large", message=f"Frames are limited to {MAX_FRAME_BYTES} bytes."
                )
            )
            return
        try:
            payload = json.loads(raw)
        except ValueError:
            await self._send_frame(
                ErrorFrame(code="invalid_json", message="Frames must be JSON objects.")
            )
            return
        try:
            frame = client_frame_adapter.validate_python(payload)
        except ValidationError as exc:
            await self._send_frame(ErrorFrame(code="invalid_frame", message=_describe(exc)))
            return
        await self._dispatch(frame)

    async def _dispatch(self, frame: PingFrame) -> None:
        if frame.via == "group":
            event: LivePong = {
                "type": "live.pong",
                "id": frame.id,
                "reply_channel": self.channel_name,
            }
            assert self.group is not None
            await self.channel_layer.group_send(self.group, event)
        else:
            await self._send_frame(PongFrame(id=frame.id))

    # --- channel-layer event handlers -----------------------------------------------------
    async def live_fragment(self, event: LiveFragment) -> None:
        await self.send(text_data=event["html"])

    async def live_pong(self, event: LivePong) -> None:
        # Every tab of the user gets the group message; only the asking one answers.
        if event["reply_channel"] == self.channel_name:
            await self._send_frame(PongFrame(id=event["id"]))

    async def _send_frame(self, frame: _Frame) -> None:
        await self.send(text_data=frame.model_dump_json())


def _describe(exc: ValidationError) -> str:
    first: dict[str, Any] = dict(exc.errors()[0])
    where = ".".join(str(p) for p in first.get("loc", ())) or "frame"
    return f"{where}: {first.get('msg', 'invalid')}"
