"""``/ws/agent/``: the local agent's connection.

Authenticated by ``Authorization: Bearer <token>`` before anything else (never a token in
the URL; no browser origin check: this is not a browser). Every frame is validated with
``agent_bridge.local_agent.protocol``; a bad one gets an ``error`` frame naming the problem and the
connection stays up. Refusals close with a code of their own (see CLOSE_*)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from agent_bridge import actions
from agent_bridge.actions.tokens import TokenRefused
from agent_bridge.agent_config import config_for
from agent_bridge.events import AgentClose, AgentConfig, AgentRestart
from agent_bridge.frames import command_frame, frame_from_event
from agent_bridge.ingest import ingest_batch
from agent_bridge.local_agent import protocol
from agent_bridge.reassembly import PartRefused, Reassembly
from permissions import actions as commands
from permissions.events import CommandQueued

log = logging.getLogger(__name__)

CLOSE_NO_TOKEN = 4401  # no (or a malformed) Authorization: Bearer header
CLOSE_BAD_TOKEN = 4403  # unknown token
CLOSE_HELLO_TIMEOUT = 4408  # no hello in time
CLOSE_REPLACED = 4409  # a newer connection of the same computer took over
CLOSE_REVOKED = 4410  # the token or the computer was revoked
CLOSE_UNSUPPORTED = 4426  # no protocol version in common
CLOSE_ABUSE = 4429  # more bad frames than BAD_FRAME_BUDGET within BAD_FRAME_WINDOW
CLOSE_TOO_LARGE = 1009  # a frame over protocol.MAX_FRAME_BYTES (RFC 6455 "message too big")
BAD_FRAME_BUDGET = 20
BAD_FRAME_WINDOW = 60.0
MAX_BYTES_TEXT = f"{protocol.MAX_FRAME_BYTES:,}"
HELLO_TIMEOUT = 10.0
HEARTBEAT_SECONDS = 30
TOUCH_EVERY = 30.0


def _bearer(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def _db(func: Any) -> Any:
    """Run an action in the thread pool (not the single thread-sensitive one): the frames of
    one connection are still handled in order, and many computers' frames in parallel."""
    return database_sync_to_async(func, thread_sensitive=False)


def max_result_bytes() -> int:
    return int(settings.LMO_AGENT_MAX_RESULT_MB) * 1024 * 1024


def _run_id(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


class AgentConsumer(AsyncWebsocketConsumer):
    agent_id: Any = None
    agent_name = ""
    ready = False

    async def connect(self) -> None:
        self._hello_wait: asyncio.Task[None] | None = None
        self._parts = Reassembly(max_result_bytes())
        self._frame_size = 0
        self._bad_frames: deque[float] = deque()
        self._touched = 0.0
        raw = _bearer(self.scope)
        code = None
        if raw is None:
            code = CLOSE_NO_TOKEN
        else:
            try:
                agent = await _db(actions.authenticate_token)(raw)
                self.agent_id, self.agent_name = agent.pk, agent.name
            except TokenRefused as exc:
                code = CLOSE_REVOKED if exc.reason == "revoked" else CLOSE_BAD_TOKEN
        # Accept, then close: the client reads our code (a refused handshake is a bare 403).
        await self.accept()
        if code is not None:
            await self.close(code=code)
            return
        self._hello_wait = asyncio.create_task(self._expect_hello())

    async def _expect_hello(self) -> None:
        await asyncio.sleep(HELLO_TIMEOUT)
        if not self.ready:
            await self.close(code=CLOSE_HELLO_TIMEOUT)

    async def disconnect(self, code: int) -> None:
        self._parts.close()  # a result in parts is sent again whole after the next hello
        if self._hello_wait is not None:
            self._hello_wait.cancel()
        if self.ready:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await _db(actions.mark_disconnected)(
                agent_id=self.agent_id, channel_name=self.channel_name
            )

    @property
    def group(self) -> str:
        return f"agent.{self.agent_id.hex}"

    async def send_frame(self, frame: protocol._Frame) -> None:
        await self.send(text_data=frame.dump())

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.agent_id is None:
            return
        raw = text_data if text_data is not None else bytes_data or b""
        self._frame_size = len(raw.encode() if isinstance(raw, str) else raw)
        if self._frame_size > protocol.MAX_FRAME_BYTES:
            # The agent knows the limit (hello_ok) and logs this close once with it.
            log.warning("agent %s sent a frame over %s bytes", self.agent_id, MAX_BYTES_TEXT)
            await self.close(code=CLOSE_TOO_LARGE)
            return
        try:
            frame = protocol.parse_agent_frame(raw)
        except protocol.FrameError as exc:
            await self.send_frame(exc.frame())
            if self._abused():
                log.warning("agent %s: too many bad frames, closing", self.agent_id)
                await self.close(code=CLOSE_ABUSE)
            return
        if not self.ready and not isinstance(frame, protocol.Hello):
            await self.send_frame(
                protocol.Error(code="hello_first", message="Send hello before anything else.")
            )
            return
        await self._touch()
        handler = getattr(self, f"on_{frame.type}")
        await handler(frame)

    def _abused(self) -> bool:
        """Whether this connection sent more bad frames than its budget allows."""
        now = time.monotonic()
        self._bad_frames.append(now)
        while self._bad_frames and now - self._bad_frames[0] > BAD_FRAME_WINDOW:
            self._bad_frames.popleft()
        return len(self._bad_frames) > BAD_FRAME_BUDGET

    async def _touch(self) -> None:
        now = time.monotonic()
        if self.ready and now - self._touched > TOUCH_EVERY:
            self._touched = now
            await _db(actions.touch_agent)(agent_id=self.agent_id)

    # --- agent frames ---------------------------------------------------------------------
    async def on_hello(self, frame: protocol.Hello) -> None:
        if self.ready:
            await self.send_frame(
                protocol.Error(code="invalid_frame", message="Already said hello.")
            )
            return
        version = protocol.negotiate(frame.protocols)
        if version is None:
            await self.send_frame(
                protocol.Error(
                    code="unsupported_protocol",
                    message=(
                        f"This server speaks protocol versions {list(protocol.PROTOCOL_VERSIONS)}; "
                        f"the agent offered {frame.protocols}. Update the agent."
                    ),
                )
            )
            await self.close(code=CLOSE_UNSUPPORTED)
            return
        connected = await _db(actions.mark_connected)(
            agent_id=self.agent_id,
            channel_name=self.channel_name,
            hello=frame,
            protocol_version=version,
        )
        if connected is None:
            await self.close(code=CLOSE_REVOKED)
            return
        if connected.replaced_channel and connected.replaced_channel != self.channel_name:
            replaced: AgentClose = {"type": "agent.close", "code": CLOSE_REPLACED}
            await self.channel_layer.send(connected.replaced_channel, dict(replaced))
        self.ready = True
        self._touched = time.monotonic()
        await self.channel_layer.group_add(self.group, self.channel_name)
        config = await _db(config_for)(agent_id=self.agent_id)
        await self.send_frame(
            protocol.HelloOk(
                protocol=version,
                agent_id=str(self.agent_id),
                name=connected.agent.name,
                heartbeat_seconds=HEARTBEAT_SECONDS,
                max_frame_bytes=protocol.MAX_FRAME_BYTES,
                config={**config, "max_result_bytes": max_result_bytes()},
            )
        )
        pending = await _db(commands.reconcile_runs)(
            agent_id=self.agent_id, holding=list(frame.holding)
        )
        for run in pending:
            await self._send_command(command_frame(run))

    async def on_ack(self, frame: protocol.Ack) -> None:
        run_id = _run_id(frame.id)
        outcome = "unknown"
        if run_id is not None and frame.of == "command":
            outcome = await _db(commands.record_ack)(agent_id=self.agent_id, run_id=run_id)
        if outcome == "unknown":
            await self._unknown(frame.id)

    async def on_result(self, frame: protocol.Result, size: int | None = None) -> None:
        outcome = "unknown"
        if _run_id(frame.id) is not None:
            outcome = await _db(commands.record_result)(
                agent_id=self.agent_id, frame=frame, size=size or self._frame_size
            )
        if outcome == "unknown":
            await self._unknown(frame.id)
        else:  # stored, or a duplicate of a finished run: either way the agent may forget it
            await self.send_frame(protocol.Ack(id=frame.id, of="result"))

    async def on_result_part(self, frame: protocol.ResultPart) -> None:
        try:
            raw = self._parts.add(frame)
        except PartRefused as exc:
            await self.send_frame(protocol.Error(code=exc.code, message=exc.message, ref=frame.id))
            if exc.code == "too_large":  # settled here, once: the agent is told to forget it
                refusal = protocol.Result(
                    id=frame.id,
                    ok=False,
                    error=protocol.ResultError(code="too_large", message=exc.message),
                )
                await self.on_result(refusal)
            return
        if raw is None:
            return
        try:
            result = protocol.parse_reassembled_result(raw, self._parts.limit)
        except protocol.FrameError as exc:
            await self.send_frame(protocol.Error(code=exc.code, message=exc.message, ref=frame.id))
            return
        if result.id != frame.id:
            await self.send_frame(
                protocol.Error(
                    code="invalid_frame", message="The parts hold another result.", ref=frame.id
                )
            )
            return
        await self.on_result(result, size=len(raw))

    async def on_progress(self, frame: protocol.Progress) -> None:
        log.debug("agent %s: %s %s", self.agent_id, frame.id, frame.message)

    async def on_activities(self, frame: protocol.ActivitiesBatch) -> None:
        reply = await _db(ingest_batch)(agent_id=self.agent_id, batch=frame)
        await self.send_frame(reply)

    async def on_ping(self, frame: protocol.Ping) -> None:
        await self.send_frame(protocol.Pong(id=frame.id))

    async def on_pong(self, frame: protocol.Pong) -> None:
        return None

    async def on_error(self, frame: protocol.Error) -> None:
        log.warning("agent %s reported %s: %s", self.agent_id, frame.code, frame.message)

    async def _unknown(self, ref: str) -> None:
        await self.send_frame(
            protocol.Error(
                code="unknown_command", message="No such command for this computer.", ref=ref[:64]
            )
        )

    # --- channel-layer events -------------------------------------------------------------
    async def agent_command(self, event: CommandQueued) -> None:
        await self._send_command(frame_from_event(event))

    async def _send_command(self, frame: protocol.Command) -> None:
        claimed = await _db(commands.claim_for_send)(
            run_id=frame.id, channel_name=self.channel_name
        )
        if claimed:
            await self.send_frame(frame)

    async def agent_close(self, event: AgentClose) -> None:
        await self.close(code=event["code"])

    async def agent_restart(self, event: AgentRestart) -> None:
        if self.ready:
            await self.send_frame(protocol.Restart(connector=event["connector"]))

    async def agent_config(self, event: AgentConfig) -> None:
        if self.ready:
            await self.send_frame(protocol.ConfigUpdate(config=event["config"]))
