"""Command suggestions: what the assistant can do for this user right now."""

from __future__ import annotations

from typing import Any

from chat.pipeline.tools import tools_for_user


def suggestions_for(user: Any) -> list[dict[str, str]]:
    """One entry per tool with an example: server tools and the user's connected
    machines' capabilities (as tool providers report them)."""
    return [
        {
            "label": tool.label or tool.name.replace("_", " "),
            "example": tool.example,
            "command": tool.command or tool.name,
            "kind": tool.kind,
            "description": tool.description,
        }
        for tool in tools_for_user(user)
        if tool.example
    ]
