"""Connectors: what the agent can do, each action with a JSON schema of its parameters.

``build_connectors(config)`` makes the ones the local policy switches on."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent_bridge.local_agent import protocol
from agent_bridge.local_agent.schemas import SchemaProblem, check_params


class ActionError(Exception):
    """A refusal or failure reported to the server as the command's error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


@dataclass
class Action:
    name: str
    description: str
    params: dict[str, Any]
    run: Callable[[dict[str, Any]], Any]  # sync (run in a thread) or async
    writes: bool = False

    def spec(self) -> protocol.ActionSpec:
        return protocol.ActionSpec(
            name=self.name, description=self.description, params=self.params, writes=self.writes
        )


@dataclass
class Connector:
    name: str
    description: str
    actions: dict[str, Action] = field(default_factory=dict)

    def add(self, action: Action) -> None:
        self.actions[action.name] = action

    def spec(self) -> protocol.ConnectorSpec:
        return protocol.ConnectorSpec(
            name=self.name,
            description=self.description,
            actions=[a.spec() for a in self.actions.values()],
        )

    async def call(self, action_name: str, params: dict[str, Any]) -> Any:
        action = self.actions.get(action_name)
        if action is None:
            raise ActionError("not_found", f"{self.name} has no action {action_name!r}.")
        try:
            check_params(params, action.params)
        except SchemaProblem as exc:
            raise ActionError("invalid_params", str(exc)) from None
        if inspect.iscoroutinefunction(action.run):
            return await action.run(params)
        return await asyncio.to_thread(action.run, params)


def build_connectors(config: Any) -> dict[str, Connector]:
    from agent_bridge.local_agent.connectors import apps, browser, filesystem, shell, system

    made = {}
    for module in (filesystem, browser, shell, apps, system):
        if config.enabled(module.NAME):
            connector = module.build(config)
            made[connector.name] = connector
    return made
