"""The tool registry. Apps register server tools (run here) and tool providers (tools
that depend on the user, such as the capabilities of their connected computers, which
reach the agent bridge through this same interface).

A tool is a typed argument schema, a callable and, through the blocks it returns, rich
output (charts, tables, file lists) that the chat renders inline."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


@dataclass
class ToolContext:
    """What a tool knows about the run that called it."""

    user_id: int
    conversation_id: int
    message_id: int  # the assistant message being produced
    tool_call_id: str

    @property
    def idempotency_key(self) -> str:
        """Stable across re-runs of the node (a node re-runs from its start on resume):
        use it to make side effects before a wait happen once."""
        return f"{self.conversation_id}:{self.tool_call_id}"

    def user(self) -> Any:
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(pk=self.user_id)


@dataclass
class ToolResult:
    """``text`` is what the model reads; ``blocks`` are rendered in the chat; ``shown``
    is what a person may read of it where nothing rewrites it (the offline assistant
    relays results as they are): ``text`` when empty. Instructions meant for the model
    ("tell the user…") stay in ``text``."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    error: bool = False
    shown: str = ""


class ToolError(Exception):
    """Raised by a tool for a failure the user should read (not a bug)."""


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args: type[BaseModel]
    run: Callable[[ToolContext, Any], ToolResult]
    kind: Literal["server", "machine"] = "server"
    label: str = ""  # chip text
    example: str = ""  # the prompt a chip or slash command inserts
    command: str = ""  # slash command name, without the slash
    connector: str = ""  # machine tools: the agent connector they use
    # A JSON schema given as is (tools built from a computer's declared actions); ``args``
    # then validates against it.
    parameters: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"tool name {self.name!r} must match {_NAME.pattern}")

    def openai_schema(self) -> dict[str, Any]:
        if self.parameters is not None:
            return {
                "type": "function",
                "function": {
                    "name": self.name,
                    "description": self.description,
                    "parameters": self.parameters,
                },
            }
        schema = convert_to_openai_tool(self.args)
        schema["function"]["name"] = self.name
        schema["function"]["description"] = self.description
        return schema


ToolProvider = Callable[[Any], list[Tool]]
_tools: dict[str, Tool] = {}
_providers: list[ToolProvider] = []


def register_tool(tool: Tool) -> Tool:
    _tools[tool.name] = tool
    return tool


def unregister_tool(name: str) -> None:
    _tools.pop(name, None)


def register_tool_provider(provider: ToolProvider) -> ToolProvider:
    """``provider(user)`` returns the tools this user can use right now."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def registered_tool(name: str) -> Tool | None:
    """A server tool by name (not the per-user ones of the providers)."""
    return _tools.get(name)


def tools_for_user(user: Any) -> list[Tool]:
    found = dict(_tools)
    for provider in _providers:
        for tool in provider(user):
            found.setdefault(tool.name, tool)
    return sorted(found.values(), key=lambda t: (t.kind != "server", t.name))
