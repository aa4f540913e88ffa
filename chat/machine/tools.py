"""The assistant's tools on the user's computers: one per declared action of their
connected (or paired) computers, named ``<connector>_<action>`` (``filesystem_list``,
``mcp_time_get_current_time``), with the action's own JSON schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

from agent_bridge.local_agent.schemas import check_params
from agent_bridge.models import Agent
from agent_bridge.offers import offered_actions, pick_computer
from chat.machine.dispatch import dispatch_command
from chat.machine.rendering import tool_result
from chat.pipeline.tools import Tool, ToolContext, ToolError, ToolResult
from permissions.exceptions import CommandRefused

LABELS = {
    "filesystem_list": ("List files", "list files in ~/Downloads"),
    "browser_open": ("Open a page", "open example.com"),
    "system_info": ("Computer info", "how is my computer doing?"),
}


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


def _runner(connector: str, action: str, agents: list[Agent]) -> Callable[..., ToolResult]:
    agent_ids = [a.pk for a in agents]

    def run(context: ToolContext, args: _SchemaArgs) -> ToolResult:
        params = dict(args.values())
        agent = pick_computer(context.user_id, agent_ids, params.pop("computer", None))
        if agent is None:
            raise ToolError("That computer is no longer paired with your account.")
        try:
            run_ = dispatch_command(
                context, agent=agent, target=connector, action=action, params=params
            )
        except CommandRefused as exc:
            raise ToolError(str(exc)) from exc
        return tool_result(run_)

    return run


def machine_tools(user: Any) -> list[Tool]:
    """The tools this user's computers offer right now (registered as a tool provider)."""
    tools = []
    for offer in offered_actions(user):
        label, example = LABELS.get(offer.name, ("", ""))
        schema = offer.schema()
        tools.append(
            Tool(
                name=offer.name,
                description=offer.description,
                args=_args_model(schema),
                run=_runner(offer.connector, offer.action, offer.agents),
                kind="machine",
                label=label,
                example=example,
                connector=offer.connector,
                parameters=schema,
            )
        )
    return tools
