"""The agent's connection to LMO: hello, commands, results, heartbeats, the outbox;
reconnecting with exponential back-off and jitter until told to stop.

A command is recorded in the local state before it runs, so a re-sent id never runs
twice (its stored result is sent again instead), and its result is kept until the
server acknowledges it, surviving dropped connections and restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import platform
import random
import socket
import time
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from agent_bridge.local_agent import VERSION, protocol
from agent_bridge.local_agent.config import Config
from agent_bridge.local_agent.connectors import ActionError, Connector, build_connectors
from agent_bridge.local_agent.connectors.mcp import McpHost
from agent_bridge.local_agent.listeners import Tracking, build_listeners
from agent_bridge.local_agent.state import State

log = logging.getLogger("lmo.agent")
OUTBOX_BATCH = protocol.MAX_BATCH_ITEMS
OUTBOX_WINDOW = 3
FATAL_CLOSES = {
    4401: "The server wants a token: pair this computer again.",
    4403: "The server does not know this computer's token: pair it again.",
    4410: "This computer's token was revoked: pair it again to reconnect.",
    4409: "Another agent for this computer connected and replaced this one.",
    4426: "This agent's protocol version is not supported by the server: update the agent.",
}

# How long the agent waits for its MCP servers before it connects: the healthy ones are
# ready by then; a slow or broken one is reported unavailable and joins when it is ready.
MCP_START_GRACE = 3.0

CLOSE_REASONS = {
    1009: f": the server refused a frame over its limit of {protocol.MAX_FRAME_BYTES:,} bytes",
    4429: ": the server got too many invalid frames from this agent (update it)",
}


class Fatal(Exception):
    """Stop for good (reconnecting cannot help); the message says what to do."""


def backoff(attempt: int, *, base: float = 0.5, cap: float = 60.0) -> float:
    """Exponential back-off with full jitter."""
    return random.uniform(0, min(cap, base * 2**attempt))  # noqa: S311 (jitter, not security)


class Agent:
    def __init__(self, config: Config, token: str, *, state: State | None = None) -> None:
        self.config = config
        self.token = token
        self.url = config.websocket_url()
        self.state = state or State(config.state_path)
        self.connectors: dict[str, Connector] = build_connectors(config)
        self.mcp = [McpHost(server, on_tools=self._tools_changed) for server in config.mcp]
        self.max_result_bytes = protocol.DEFAULT_MAX_RESULT_BYTES
        self.ws: ClientConnection | None = None
        self.stopping = asyncio.Event()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.outbox_wakeup = asyncio.Event()
        self.in_flight: set[str] = set()  # outbox batches sent, not yet answered
        self._rehello = False
        self.tracking = Tracking.from_config(self.state.get("server_config") or {})
        self.listeners = build_listeners(config, self.state)

    # --- lifecycle ------------------------------------------------------------------------
    async def run(self) -> None:
        for host in self.mcp:
            host.start()
        if self.mcp:  # started side by side; none holds the connection up for long
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.gather(*(h.settled.wait() for h in self.mcp)), MCP_START_GRACE
                )
        self._settle_interrupted()
        if self.listeners:
            self._spawn(self._listen(), "listeners")
        attempt = 0
        try:
            while not self.stopping.is_set():
                helloed = await self._connect_once()
                attempt = 0 if helloed else attempt + 1
                if self.stopping.is_set():
                    break
                delay = 0.2 if self._rehello else backoff(attempt)
                self._rehello = False
                log.info("reconnecting in %.1f s", delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), delay)
        finally:
            for host in self.mcp:
                await host.stop()

    def stop(self) -> None:
        self.stopping.set()
        if self.ws is not None:
            self._spawn(self.ws.close(), "close")

    def _settle_interrupted(self) -> None:
        """Commands a killed process left unfinished are reported failed, never re-run."""
        for run_id in self.state.interrupted():
            self.state.finish(
                run_id,
                protocol.Result(
                    id=run_id,
                    ok=False,
                    error=protocol.ResultError(
                        code="interrupted",
                        message="The agent stopped while running this command; it was not run again.",
                    ),
                ).model_dump(mode="json", exclude_none=True),
            )

    def _tools_changed(self) -> None:
        """An MCP server came (back) with other tools, or became (un)available: say hello
        again with them."""
        if self.ws is not None:
            self._rehello = True
            self._spawn(self.ws.close(code=1000, reason="capabilities changed"), "close")

    def connector_specs(self) -> list[protocol.ConnectorSpec]:
        specs = [c.spec() for c in self.connectors.values()]
        specs += [h.connector().spec() for h in self.mcp if h.tools]
        return specs

    def unavailable(self) -> list[protocol.Unavailable]:
        """MCP servers that cannot be offered now, and why (shown in Settings → Apps)."""
        made = []
        for host in self.mcp:
            if host.ready.is_set():
                continue
            if host.error:
                made.append(protocol.Unavailable(name=host.connector_name, error=host.error))
            elif not host.settled.is_set():
                made.append(
                    protocol.Unavailable(
                        name=host.connector_name, error="Still starting: no answer yet."
                    )
                )
        return made

    def connector(self, name: str) -> Connector | None:
        if name in self.connectors:
            return self.connectors[name]
        for host in self.mcp:
            if host.connector_name == name and host.tools:
                return host.connector()
        return None

    # --- one connection -------------------------------------------------------------------
    async def _connect_once(self) -> bool:
        helloed = False
        try:
            async with connect(
                self.url,
                additional_headers={"Authorization": f"Bearer {self.token}"},
                max_size=protocol.MAX_FRAME_BYTES,
                open_timeout=15,
                ping_interval=20,
                ping_timeout=20,
                user_agent_header=f"lmo-agent/{VERSION}",
            ) as ws:
                self.ws = ws
                helloed = await self._hello(ws)
                if helloed:
                    await self._session(ws)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            if code in FATAL_CLOSES:
                raise Fatal(FATAL_CLOSES[code]) from None
            log.warning("connection closed (%s)%s", code, CLOSE_REASONS.get(code or 0, ""))
        except InvalidStatus as exc:
            log.warning("the server refused the connection: HTTP %s", exc.response.status_code)
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            log.warning("cannot reach %s: %s", self.url, exc)
        finally:
            self.ws = None
            for task in list(self.tasks):
                if task.get_name().startswith("bg-"):
                    task.cancel()
            self.state.release()
            self.in_flight.clear()
        return helloed

    async def _hello(self, ws: ClientConnection) -> bool:
        hello = protocol.Hello(
            protocols=list(protocol.PROTOCOL_VERSIONS),
            agent_version=VERSION,
            platform=f"{platform.system()} {platform.release()} ({platform.machine()})",
            hostname=socket.gethostname(),
            connectors=self.connector_specs(),
            holding=self.state.holding(),
            unavailable=self.unavailable(),
        )
        await ws.send(hello.dump())
        while True:
            frame = protocol.parse_server_frame(await asyncio.wait_for(ws.recv(), 15))
            if isinstance(frame, protocol.HelloOk):
                self._apply_server_config(frame.config)
                log.info(
                    "connected to %s as %s (protocol %s)", self.url, frame.name, frame.protocol
                )
                self._spawn(self._heartbeat(ws, frame.heartbeat_seconds), "bg-heartbeat")
                self._spawn(self._outbox(ws), "bg-outbox")
                for result in self.state.undelivered():
                    await self._send_result(ws, protocol.Result.model_validate(result))
                return True
            if isinstance(frame, protocol.Error):
                log.error("server refused hello: %s", frame.message)
            # anything else before hello_ok is ignored

    async def _session(self, ws: ClientConnection) -> None:
        async for raw in ws:
            try:
                frame = protocol.parse_server_frame(raw)
            except protocol.FrameError as exc:
                await ws.send(exc.frame().dump())
                continue
            if isinstance(frame, protocol.Command):
                self._spawn(self._command(frame), f"cmd-{frame.id}")
            elif isinstance(frame, protocol.Ack) and frame.of == "result":
                self.state.delivered(frame.id)
            elif isinstance(frame, protocol.ActivitiesAck):
                self.state.acknowledge(frame.batch, [item.id for item in frame.items])
                self.in_flight.discard(frame.batch)
                self.outbox_wakeup.set()
            elif isinstance(frame, protocol.Error):
                log.warning("server error %s: %s", frame.code, frame.message)
                if frame.ref and frame.ref in self.in_flight:
                    self.state.release(frame.ref)
                    self.in_flight.discard(frame.ref)
            elif isinstance(frame, protocol.Restart):
                self._restart(frame.connector)
            elif isinstance(frame, protocol.ConfigUpdate):
                log.info("server preferences: %s", frame.config)
                self._apply_server_config(frame.config)

    def _restart(self, connector: str) -> None:
        for host in self.mcp:
            if host.connector_name == connector:
                log.info("restarting %s (asked by the server)", connector)
                host.restart()
                return
        log.warning("the server asked to restart %s, which this agent does not host", connector)

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- commands -------------------------------------------------------------------------
    async def _command(self, frame: protocol.Command) -> None:
        status, stored = self.state.begin(frame.id)
        await self._send(protocol.Ack(id=frame.id))
        if status == "done":  # it ran already: never again
            if stored is not None:
                await self._send(protocol.Result.model_validate(stored))
            else:
                await self._send(_failure(frame.id, "duplicate", "This command ran already."))
            return
        if status == "started":
            result = _failure(
                frame.id,
                "interrupted",
                "This command was started before and never finished; it was not run again.",
            )
        else:
            result = _fitting(await self._execute(frame), self.max_result_bytes)
        self.state.finish(frame.id, result.model_dump(mode="json", exclude_none=True))
        if self.ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await self._send_result(self.ws, result)

    async def _execute(self, frame: protocol.Command) -> protocol.Result:
        started = time.monotonic()
        remaining = (frame.deadline - datetime.now(UTC)).total_seconds()
        if remaining <= 0:
            return _failure(
                frame.id, "timeout", "The deadline passed before the command could run."
            )
        connector = self.connector(frame.target)
        if connector is None:
            return _failure(
                frame.id,
                "refused",
                f"The connector {frame.target} is switched off or unknown on this computer.",
            )
        try:
            data = await asyncio.wait_for(
                connector.call(frame.action, dict(frame.params)), remaining
            )
        except ActionError as exc:
            return _failure(frame.id, exc.code, exc.message, started)
        except TimeoutError:
            return _failure(
                frame.id, "timeout", "The command did not finish before its deadline.", started
            )
        except Exception as exc:
            log.exception("command %s failed", frame.id)
            return _failure(frame.id, "failed", f"{type(exc).__name__}: {exc}", started)
        return protocol.Result(
            id=frame.id, ok=True, data=data, duration_ms=(time.monotonic() - started) * 1000
        )

    async def _send_result(self, ws: ClientConnection, result: protocol.Result) -> None:
        """One frame, or ``result_part`` frames for a result over the frame limit."""
        raw = result.dump()
        if len(raw.encode()) <= protocol.MAX_FRAME_BYTES:
            await ws.send(raw)
            return
        for part in protocol.result_parts(result):
            await ws.send(part.dump())

    async def _send(self, frame: protocol._Frame) -> None:
        ws = self.ws
        if ws is None:
            return  # kept in the state; sent after the next hello
        with contextlib.suppress(ConnectionClosed):
            await ws.send(frame.dump())

    # --- listeners ------------------------------------------------------------------------
    def _apply_server_config(self, config: dict[str, Any]) -> None:
        """Remember the server's tracking switches (they hold while offline, too)."""
        limit = config.get("max_result_bytes")
        if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
            self.max_result_bytes = limit
        if "tracking" in config:
            self.state.set("server_config", {"tracking": config["tracking"]})
            self.tracking = Tracking.from_config(config)

    def scan_once(self) -> int:
        """Run every listener once; returns how many activities were queued."""
        queued = 0
        for listener in self.listeners:
            try:
                queued += listener.scan(self.tracking)
            except Exception:  # one broken listener must not stop the others
                log.exception("listener %s failed", type(listener).__name__)
        return queued

    async def _listen(self) -> None:
        while not self.stopping.is_set():
            queued = await asyncio.to_thread(self.scan_once)
            if queued:
                self.outbox_wakeup.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), self.config.poll_seconds)

    # --- background -----------------------------------------------------------------------
    async def _heartbeat(self, ws: ClientConnection, seconds: int) -> None:
        while True:
            await asyncio.sleep(seconds)
            await ws.send(protocol.Ping(id=str(int(time.time()))).dump())
            self.state.prune()

    async def _outbox(self, ws: ClientConnection) -> None:
        """Upload queued activities: a few batches in flight, so the server always has the
        next one waiting while it stores one."""
        while True:
            while len(self.in_flight) < OUTBOX_WINDOW:
                batch = self.state.next_batch(OUTBOX_BATCH)
                if batch is None:
                    break
                self.in_flight.add(batch[0])
                await ws.send(protocol.ActivitiesBatch(batch=batch[0], items=batch[1]).dump())
            self.outbox_wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.outbox_wakeup.wait(), 5)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _fitting(result: protocol.Result, limit: int) -> protocol.Result:
    """``result``, or an error saying it is too large: the server refuses a result over
    its limit (``max_result_bytes``), so one that big is never sent, and never sent again."""
    size = len(result.dump().encode())
    if size <= limit:
        return result
    log.warning("the result of %s is %s bytes, over the limit of %s", result.id, size, limit)
    return _failure(
        result.id,
        "too_large",
        f"The result is too large ({_megabytes(size)}, limit {_megabytes(limit)}).",
    )


def _failure(run_id: str, code: str, message: str, started: float | None = None) -> protocol.Result:
    duration = (time.monotonic() - started) * 1000 if started is not None else None
    return protocol.Result(
        id=run_id,
        ok=False,
        error=protocol.ResultError(code=code, message=message[:4000]),
        duration_ms=duration,
    )
