"""What LMO offers an MCP client, and running it: every action of the user's computers
(through the one command gate: a grant runs it, otherwise the user is asked in LMO and
the call waits, holding no thread) and four activities tools. Nothing here grants
anything; what a computer returns goes back as untrusted content."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import mcp_types as types
from channels.db import database_sync_to_async
from django.conf import settings
from pydantic import ValidationError

from agent_bridge.local_agent.schemas import SchemaProblem, check_params
from agent_bridge.offers import OfferedAction, offered_actions
from chat.machine.rendering import tool_result
from chat.pipeline.tools import Tool, ToolContext, ToolError, ToolResult, registered_tool
from lmo.api.models import ApiKey
from lmo.usage.quotas import quota_problem
from permissions.commands import CommandCall, await_command, start_command
from permissions.exceptions import CommandRefused
from permissions.models import CommandRun
from permissions.previews import preview_kind
from permissions.waiting import Wait

# The activities tools an outside client may use (read-only ones, and recording a job
# application); the rest of the assistant's server tools are the chat's own.
ACTIVITY_TOOLS = {
    "activities_search": True,
    "activities_spending": True,
    "activities_job_applications": True,
    "activities_record_job": False,
}
UNTRUSTED = {"dev.lmo/untrusted": True}
MAX_INLINE_MEDIA = 5 * 1024 * 1024  # an image or a sound returned inline to the client
MAX_MEDIA_ITEMS = 10
HEARTBEAT_SECONDS = 15.0

Progress = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Caller:
    """Who calls, from the credential: the key (its user, organisation and scopes) and
    the client's name as the user will read it."""

    key: ApiKey
    client: str


def _activity_tools() -> list[Tool]:
    found = (registered_tool(name) for name in ACTIVITY_TOOLS)
    return [tool for tool in found if tool is not None]


def _machine_tool(offer: OfferedAction) -> types.Tool:
    return types.Tool(
        name=offer.name,
        description=offer.description,
        input_schema=offer.schema(),
        annotations=types.ToolAnnotations(
            title=f"{offer.connector} {offer.action}",
            read_only_hint=not offer.writes,
            destructive_hint=offer.writes,
            open_world_hint=True,
        ),
    )


def _activity_tool(tool: Tool) -> types.Tool:
    read_only = ACTIVITY_TOOLS[tool.name]
    return types.Tool(
        name=tool.name,
        description=tool.description,
        input_schema=tool.openai_schema()["function"]["parameters"],
        annotations=types.ToolAnnotations(
            title=tool.label or tool.name,
            read_only_hint=read_only,
            destructive_hint=False,
            open_world_hint=False,
        ),
    )


def list_tools(caller: Caller) -> list[types.Tool]:
    user = caller.key.user
    return [_activity_tool(t) for t in _activity_tools()] + [
        _machine_tool(o) for o in offered_actions(user)
    ]


def _table(block: dict[str, Any]) -> str:
    """A table block as text a model reads (the chat shows it as a table)."""

    def cell(value: Any) -> str:
        return str(value if value is not None else "").replace("|", "/").replace("\n", " ")

    columns = [cell(c) or "-" for c in block.get("columns") or []]
    lines = [str(block.get("title") or ""), "| " + " | ".join(columns) + " |"]
    lines.append("|" + "---|" * len(columns))
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in block.get("rows") or []]
    return "\n".join(lines)


def _text(result: ToolResult) -> types.CallToolResult:
    tables = [_table(b) for b in result.blocks if b.get("kind") == "table"]
    text = "\n\n".join([result.text, *tables])
    return types.CallToolResult(
        content=[types.TextContent(text=text, _meta=UNTRUSTED)], is_error=result.error
    )


def machine_result(run: CommandRun) -> types.CallToolResult:
    """A finished command as the MCP client reads it: its text, and the images and audio
    its result carried (of the kinds a page may show, each at most MAX_INLINE_MEDIA) as
    MCP image and audio content; other files are named in the text."""
    made = _text(tool_result(run))
    for stored in run.files.all()[:MAX_MEDIA_ITEMS]:
        kind = preview_kind(stored.mime_type)
        if not kind or stored.size > MAX_INLINE_MEDIA:
            continue
        with stored.file.open("rb") as handle:
            data = base64.b64encode(handle.read()).decode()
        if kind == "image":
            made.content.append(
                types.ImageContent(data=data, mime_type=stored.mime_type, _meta=UNTRUSTED)
            )
        else:
            made.content.append(
                types.AudioContent(data=data, mime_type=stored.mime_type, _meta=UNTRUSTED)
            )
    return made


def refused(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)


def _run_activity_tool(caller: Caller, tool: Tool, arguments: dict[str, Any]) -> ToolResult:
    try:
        args = tool.args.model_validate(arguments)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
            for e in exc.errors()[:5]
        )
        raise ToolError(f"The arguments are not valid: {problems}") from None
    context = ToolContext(
        user_id=caller.key.user_id,
        conversation_id=0,
        message_id=0,
        tool_call_id=f"mcp-{caller.key.prefix}-{uuid.uuid4().hex}",
    )
    return tool.run(context, args)


def _find(caller: Caller, name: str) -> tuple[Tool | None, OfferedAction | None]:
    if name in ACTIVITY_TOOLS:
        return registered_tool(name), None
    return None, next((o for o in offered_actions(caller.key.user) if o.name == name), None)


def _command_call(caller: Caller, offer: OfferedAction, arguments: dict[str, Any]) -> CommandCall:
    """The call to make (raises ToolError for bad arguments or a computer gone)."""
    try:
        check_params(arguments, offer.schema())
    except SchemaProblem as exc:
        raise ToolError(f"The arguments are not valid: {exc}") from None
    params = dict(arguments)
    # The offer was read just now: its computers (online first) are the user's paired ones.
    wanted = params.pop("computer", None)
    agent = next((a for a in offer.agents if not wanted or a.name == wanted), None)
    if agent is None:
        raise ToolError("That computer is no longer paired with the account.")
    return CommandCall(
        agent=agent,
        target=offer.connector,
        action=offer.action,
        params=params,
        idempotency_key=f"mcp:{caller.key.prefix}:{uuid.uuid4().hex}",
        requested_by_id=caller.key.user_id,
        organisation_id=caller.key.organisation_id,
        key_prefix=caller.key.prefix,
        client=caller.client,
    )


def _prepare(caller: Caller, name: str, arguments: dict[str, Any]) -> Any:
    """A finished result (activities, refusals), or the command call past its gate."""
    problem = quota_problem(user_id=caller.key.user_id, organisation_id=caller.key.organisation_id)
    if problem is not None:
        return refused(problem)
    tool, offer = _find(caller, name)
    try:
        if tool is not None:
            return _text(_run_activity_tool(caller, tool, arguments))
        if offer is None:
            return refused(
                f"There is no tool {name!r} (list the tools again: computers come and go)."
            )
        call = _command_call(caller, offer, arguments)
        return call, start_command(call)
    except (ToolError, CommandRefused) as exc:
        return refused(str(exc))


def wait_limit() -> float:
    """The longest a call waits: the user's decision, then the command's own deadline."""
    return settings.LMO_PERMISSION_REQUEST_MINUTES * 60 + settings.LMO_AGENT_COMMAND_TIMEOUT + 60


async def call_tool(
    caller: Caller, name: str, arguments: dict[str, Any], progress: Progress
) -> types.CallToolResult:
    prepared = await database_sync_to_async(_prepare)(caller, name, arguments)
    if isinstance(prepared, types.CallToolResult):
        return prepared
    call, started = prepared

    async def on_wait(step: Wait) -> None:
        await progress(step.prompt)

    waiting = asyncio.ensure_future(await_command(call, on_wait=on_wait, started=started))
    try:
        async with asyncio.timeout(wait_limit()):
            while True:
                done, _ = await asyncio.wait({waiting}, timeout=HEARTBEAT_SECONDS)
                if done:
                    break
                await progress("Still waiting…")
        run = waiting.result()
    except TimeoutError:
        return refused(f"{call.what} on {call.agent.name} did not finish in time.")
    except CommandRefused as exc:
        return refused(str(exc))
    finally:
        waiting.cancel()
    run.agent = call.agent  # (rendering reads only the run and its computer: no query)
    return await database_sync_to_async(machine_result)(run)
