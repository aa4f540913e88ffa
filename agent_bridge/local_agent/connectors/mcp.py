"""Model Context Protocol servers (stdio) hosted by the agent with the official ``mcp``
SDK. Each configured server is started, its tools listed and offered as the connector
``mcp:<name>``; a server that dies is restarted (its in-flight call fails clearly).

A server that cannot start (command missing, crash, no answer to ``initialize`` within
INITIALIZE_TIMEOUT) keeps its ``error``, which the agent reports in its hello; the server
can ask for a ``restart`` (Retry in Settings → Apps).

Tool results keep all their content: text is joined into ``text``; images, audio,
embedded resources and resource links go into ``content`` (base64 as the server sent
it; LMO stores those as files). A tool is a write (``writes``) unless its server marks
it ``readOnlyHint: true``: MCP's default for an unmarked tool is "may be destructive"."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.types import (
    AudioContent,
    BlobResourceContents,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
    Tool,
)

from agent_bridge.local_agent.config import McpServer
from agent_bridge.local_agent.connectors import Action, ActionError, Connector

log = logging.getLogger("lmo.agent.mcp")
CALL_TIMEOUT = 120.0
RESTART_MAX_DELAY = 30.0
INITIALIZE_TIMEOUT = 15.0
STABLE_SECONDS = 60.0
_UNSAFE = re.compile(r"[^a-z0-9_.-]+")


def _action_name(tool: str) -> str:
    name = _UNSAFE.sub("_", tool.lower()).strip("_") or "tool"
    return name if name[0].isalpha() else f"t_{name}"


def read_only(tool: Tool) -> bool:
    """Whether the server says the tool changes nothing (``readOnlyHint: true``)."""
    return bool(tool.annotations and tool.annotations.read_only_hint)


def content_item(item: Any) -> dict[str, Any] | None:
    """One non-text content item of a tool result as plain JSON (None: text, or unknown)."""
    if isinstance(item, ImageContent | AudioContent):
        kind = "image" if isinstance(item, ImageContent) else "audio"
        return {"type": kind, "mime_type": item.mime_type, "data": item.data}
    if isinstance(item, EmbeddedResource):
        resource = item.resource
        made: dict[str, Any] = {"type": "resource", "uri": str(resource.uri)}
        if resource.mime_type:
            made["mime_type"] = resource.mime_type
        if isinstance(resource, TextResourceContents):
            made["text"] = resource.text
        elif isinstance(resource, BlobResourceContents):
            made["data"] = resource.blob
        return made
    if isinstance(item, ResourceLink):
        link: dict[str, Any] = {"type": "resource_link", "uri": str(item.uri), "name": item.name}
        for key in ("title", "description", "mime_type", "size"):
            if getattr(item, key, None) is not None:
                link[key] = getattr(item, key)
        return link
    return None


class McpHost:
    """Keeps one MCP server running and connected; ``on_tools`` is called whenever the
    list of its tools changes (the agent then says hello again)."""

    def __init__(self, server: McpServer, on_tools: Callable[[], None] | None = None) -> None:
        self.server = server
        self.connector_name = f"mcp:{_action_name(server.name)}"
        self.on_tools = on_tools
        self.session: ClientSession | None = None
        self.tools: dict[str, Any] = {}  # action name -> mcp Tool
        self._connector: Connector | None = None  # built once per list of tools
        self.ready = asyncio.Event()
        self.settled = asyncio.Event()  # the first start is over: ready, or failed
        self.error = ""  # why the last start failed ("" while it runs)
        self.restarts = 0
        self._wake = asyncio.Event()  # restart now, without waiting out the back-off
        self._broken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._errlog: Any = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._serve(), name=f"mcp-{self.server.name}")

    def restart(self) -> None:
        """Start again at once (a broken server waits out its back-off otherwise)."""
        self._wake.set()
        if self.session is not None:
            self._broken.set()

    def _failed(self, error: str) -> None:
        changed = error != self.error
        self.error = error[:500]
        self.settled.set()
        if changed and self.on_tools:
            self.on_tools()  # unavailable, or for another reason: say so in a new hello

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def _serve(self) -> None:
        delay = 0.5
        while True:
            up_since: float | None = None
            params = StdioServerParameters(
                command=self.server.command, args=self.server.args, env=self.server.env or None
            )
            try:
                async with (
                    stdio_client(params) as (read, write),
                    ClientSession(read, write) as session,
                ):
                    try:
                        await asyncio.wait_for(session.initialize(), INITIALIZE_TIMEOUT)
                    except TimeoutError:
                        raise RuntimeError(
                            f"it did not answer initialize in {INITIALIZE_TIMEOUT:g} s"
                        ) from None
                    listed = await session.list_tools()
                    tools = {_action_name(t.name): t for t in listed.tools}
                    changed = set(tools) != set(self.tools) or bool(self.error)
                    self.session, self.tools = session, tools
                    self._connector = None
                    self._broken.clear()
                    self.error = ""
                    self.ready.set()
                    self.settled.set()
                    up_since = time.monotonic()
                    log.info("MCP server %s: %d tools", self.server.name, len(tools))
                    if changed and self.on_tools:
                        self.on_tools()
                    await self._watch(session)
            except asyncio.CancelledError:
                raise
            except BaseException as exc:  # the SDK raises exception groups from its task group
                log.warning("MCP server %s stopped: %r", self.server.name, exc)
                self.session = None
                self.ready.clear()
                self._failed(_reason(exc))
            self.session = None
            self.ready.clear()
            self.restarts += 1
            if up_since is not None and time.monotonic() - up_since > STABLE_SECONDS:
                delay = 0.5  # it ran well for a while: this is a new failure, not a loop
            self._wake.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            if self._wake.is_set():
                delay = 0.5
            delay = min(delay * 2, RESTART_MAX_DELAY)

    async def _watch(self, session: ClientSession) -> None:
        """Return when the server is broken: a failed call, or a failed ping."""
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._broken.wait(), 15)
            if self._broken.is_set():
                return
            try:
                await asyncio.wait_for(session.send_ping(), 10)
            except BaseException:
                return

    async def call(self, action: str, params: dict[str, Any]) -> Any:
        tool = self.tools.get(action)
        if tool is None:
            raise ActionError("not_found", f"{self.connector_name} has no tool {action!r}.")
        if not self.ready.is_set():
            try:
                await asyncio.wait_for(self.ready.wait(), 10)
            except TimeoutError:
                raise ActionError(
                    "failed", f"The MCP server {self.server.name} is not running."
                ) from None
        session = self.session
        assert session is not None
        try:
            result = await asyncio.wait_for(session.call_tool(tool.name, params), CALL_TIMEOUT)
        except TimeoutError:
            raise ActionError(
                "timeout", f"{tool.name} did not answer in {CALL_TIMEOUT:g} s."
            ) from None
        except Exception as exc:
            self._broken.set()  # restart it; this call is reported, never retried
            raise ActionError(
                "failed",
                f"The MCP server {self.server.name} failed ({exc!r}); it is being restarted.",
            ) from None
        texts = [c.text for c in result.content if isinstance(c, TextContent)]
        if result.is_error:
            raise ActionError("failed", "\n".join(texts) or f"{tool.name} reported an error.")
        data: dict[str, Any] = {"text": "\n".join(texts)}
        content = [made for c in result.content if (made := content_item(c)) is not None]
        if content:
            data["content"] = content
        if result.structured_content is not None:
            data["structured"] = result.structured_content
        return data

    def connector(self) -> Connector:
        if self._connector is None:
            self._connector = self._build_connector()
        return self._connector

    def _build_connector(self) -> Connector:
        connector = Connector(self.connector_name, f"Tools of the MCP server {self.server.name}.")
        for action, tool in self.tools.items():
            schema = dict(tool.input_schema or {"type": "object"})
            schema.setdefault("type", "object")

            async def run(params: dict[str, Any], _action: str = action) -> Any:
                return await self.call(_action, params)

            description = (tool.description or tool.name)[:1000]
            connector.add(Action(action, description, schema, run, writes=not read_only(tool)))
        return connector


def _reason(exc: BaseException) -> str:
    """The first real error inside the SDK's exception groups, in a few words."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, FileNotFoundError):
        return f"command not found: {exc.filename or exc}"
    text = str(exc) or type(exc).__name__
    return text[:500]
