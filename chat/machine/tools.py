"""The assistant's tools on the user's computers: one per declared action of their
connected (or paired) computers, named ``<connector>_<action>`` (``filesystem_list``,
``mcp_time_get_current_time``), with the action's own JSON schema."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

from agent_bridge.local_agent.schemas import check_params, schema_is_valid
from agent_bridge.models import Agent
from chat.machine.dispatch import dispatch_command
from chat.machine.rendering import tool_result
from chat.pipeline.tools import Tool, ToolContext, ToolError, ToolResult
from permissions.exceptions import CommandRefused

_UNSAFE = re.compile(r"[^a-z0-9_]+")
LABELS = {
    "filesystem_list": ("List files", "list files in ~/Downloads"),
    "browser_open": ("Open a page", "open example.com"),
    "system_info": ("Computer info", "how is my computer doing?"),
}


def tool_name(connector: str, action: str) -> str:
    name = _UNSAFE.sub("_", f"{connector}_{action}".lower()).strip("_")
    return name[:64] if name[:1].isalpha() else f"m_{name}"[:64]


class _SchemaArgs(BaseModel):
    """Arguments checked against a JSON schema (``schema_``, set per tool)."""

    model_config = ConfigDict(extra="allow")
    schema_: ClassVar[dict[str, Any]] = {}

    @model_validator(mode="before")
    @classmethod
    def _validate(cls, data: Any) -> Any:
        check_params(data, cls.schema_)  # SchemaProblem is a ValueError: pydantic reports it
        return data

    def values(self) -> dict[str, Any]:
        return dict(self.__pydantic_extra__ or {})


def _args_model(schema: dict[str, Any]) -> type[_SchemaArgs]:
    return type("MachineArgs", (_SchemaArgs,), {"schema_": schema})


def _schema(spec: dict[str, Any], computers: list[str]) -> dict[str, Any]:
    schema = copy.deepcopy(spec.get("params") or {"type": "object", "properties": {}})
    schema.setdefault("type", "object")
    schema.setdefault("properties", {})
    if len(computers) > 1:
        schema["properties"]["computer"] = {
            "type": "string",
            "enum": computers,
            "description": "Which of the user's computers to use (default: the one online).",
        }
    return schema


def _runner(connector: str, action: str, agents: list[Agent]) -> Callable[..., ToolResult]:
    agent_ids = [a.pk for a in agents]

    def run(context: ToolContext, args: _SchemaArgs) -> ToolResult:
        params = dict(args.values())
        wanted = params.pop("computer", None)
        candidates = list(
            Agent.objects.active()
            .filter(pk__in=agent_ids, owner_id=context.user_id)
            .order_by("-connected", "-last_seen_at")
        )
        if wanted:
            candidates = [a for a in candidates if a.name == wanted]
        if not candidates:
            raise ToolError("That computer is no longer paired with your account.")
        try:
            run_ = dispatch_command(
                context, agent=candidates[0], target=connector, action=action, params=params
            )
        except CommandRefused as exc:
            raise ToolError(str(exc)) from exc
        return tool_result(run_)

    return run


def machine_tools(user: Any) -> list[Tool]:
    """The tools this user's computers offer right now (registered as a tool provider)."""
    if not getattr(user, "is_authenticated", False):
        return []
    found: dict[tuple[str, str], tuple[dict[str, Any], list[Agent]]] = {}
    for agent in Agent.objects.owned_by(user).active().order_by("-connected", "-last_seen_at"):
        for connector in agent.capabilities or ():
            for spec in connector.get("actions", ()):
                key = (connector["name"], spec["name"])
                entry = found.setdefault(key, (spec, []))
                entry[1].append(agent)
    tools = []
    for (connector, action), (spec, agents) in found.items():
        name = tool_name(connector, action)
        label, example = LABELS.get(name, ("", ""))
        schema = _schema(spec, sorted({a.name for a in agents}))
        if not schema_is_valid(schema):
            continue  # a computer declared a broken schema: the tool is not offered
        where = ", ".join(sorted({a.name for a in agents}))
        tools.append(
            Tool(
                name=name,
                description=(spec.get("description") or f"{connector} {action}")[:900]
                + f" (runs on the user's computer: {where})",
                args=_args_model(schema),
                run=_runner(connector, action, agents),
                kind="machine",
                label=label,
                example=example,
                connector=connector,
                parameters=schema,
            )
        )
    return tools
