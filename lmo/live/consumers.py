from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from pydantic import ValidationError

from lmo.live.auth import check_session, refusal_code
from lmo.live.events import LiveEnd, LiveFragment, LiveFrame, LivePong, LiveRecheck
from lmo.live.frames import (
    MAX_FRAME_BYTES,
    ErrorCode,
    ErrorFrame,
    PingFrame,
    PongFrame,
    _Frame,
    handler_for,
    parse_client_frame,
    register_frame,
)
from lmo.live.groups import session_group, user_group

log = logging.getLogger(__name__)


class LiveConsumer(AsyncWebsocketConsumer):
    """One per open page: joins the user's group, relays what apps send to it, and hands
    the frames the page sends to the handler their app registered."""

    group: str | None = None

    async def connect(self) -> None:
        self.groups_joined: set[str] = set()
        user = self.scope.get("user")
        code = await database_sync_to_async(refusal_code)(user, self.scope.get("session"))
        if code is not None:
            # Accept-then-close so the browser sees our close code (a refused handshake is
            # only ever 1006, which the page would retry forever).
            await self.accept()
            await self.close(code=code)
            return
        assert user is not None
        self.user = user
        self.session_key: str = self.scope["session"].session_key
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(session_group(self.session_key), self.channel_name)
        await self.accept()
        self._watcher = asyncio.create_task(self._watch_session())

    async def disconnect(self, code: int) -> None:
        watcher = getattr(self, "_watcher", None)
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(
                session_group(self.session_key), self.channel_name
            )
        for group in list(getattr(self, "groups_joined", ())):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def join(self, group: str) -> None:
        """Also receive the events of ``group`` (a conversation...) until leave/disconnect."""
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.add(group)

    async def leave(self, group: str) -> None:
        await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined.discard(group)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.group is None:
            return
        raw = text_data if text_data is not None else (bytes_data or b"").decode("utf-8", "replace")
        if len(raw.encode()) > MAX_FRAME_BYTES:
            await self.send_error("too_large", f"Frames are limited to {MAX_FRAME_BYTES} bytes.")
            return
        try:
            payload = json.loads(raw)
        except ValueError:
            await self.send_error("invalid_json", "Frames must be JSON objects.")
            return
        try:
            frame = parse_client_frame(payload)
        except ValidationError as exc:
            await self.send_error("invalid_frame", _describe(exc))
            return
        # The session is looked at again before anything is done for the frame: a socket
        # is worth nothing once its session is gone.
        if not await self._session_goes_on(activity=not isinstance(frame, PingFrame)):
            return
        await handler_for(frame)(self, frame)

    # --- the session's life ---------------------------------------------------------------
    async def _session_goes_on(self, *, activity: bool = False) -> bool:
        """Close with the reason if the session has ended; schedule the next look."""
        check = await database_sync_to_async(check_session)(
            self.user.pk, self.session_key, activity=activity
        )
        if check.code is not None:
            await self.close(code=check.code)
            return False
        self._next_check = check.recheck_in
        return True

    async def _watch_session(self) -> None:
        """Closes the socket when the session expires (idle timeout, lifetime) or is found
        gone: it wakes when the session would expire and looks at it again."""
        while True:
            if not await self._session_goes_on():
                return
            await asyncio.sleep(self._next_check + 0.05)

    # --- channel-layer event handlers -----------------------------------------------------
    async def live_fragment(self, event: LiveFragment) -> None:
        if event.get("skip_channel") == self.channel_name:
            return
        await self.send(text_data=event["html"])

    async def live_frame(self, event: LiveFrame) -> None:
        await self.send(text_data=json.dumps(event["frame"]))

    async def live_end(self, event: LiveEnd) -> None:
        await self.close(code=event["code"])

    async def live_recheck(self, event: LiveRecheck) -> None:
        await self._session_goes_on()

    async def live_pong(self, event: LivePong) -> None:
        # Every tab of the user gets the group message; only the asking one answers.
        if event["reply_channel"] == self.channel_name:
            await self.send_frame(PongFrame(id=event["id"]))

    # --- replies --------------------------------------------------------------------------
    async def send_frame(self, frame: _Frame) -> None:
        await self.send(text_data=frame.model_dump_json())

    async def send_error(self, code: ErrorCode, message: str, ref: str | None = None) -> None:
        await self.send_frame(ErrorFrame(code=code, message=message, ref=ref))


async def _ping(consumer: LiveConsumer, frame: PingFrame) -> None:
    if frame.via == "group":
        event: LivePong = {
            "type": "live.pong",
            "id": frame.id,
            "reply_channel": consumer.channel_name,
        }
        assert consumer.group is not None
        await consumer.channel_layer.group_send(consumer.group, event)
    else:
        await consumer.send_frame(PongFrame(id=frame.id))


def register_ping() -> None:
    register_frame(PingFrame, _ping)


def _describe(exc: ValidationError) -> str:
    first: dict[str, Any] = dict(exc.errors()[0])
    where = ".".join(str(p) for p in first.get("loc", ())) or "frame"
    return f"{where}: {first.get('msg', 'invalid')}"
