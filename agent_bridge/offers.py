"""What a user's computers offer: one entry per declared action of their paired
computers, named ``<connector>_<action>`` (``filesystem_list``,
``mcp_time_get_current_time``), with the action's JSON schema (plus a ``computer``
argument when several computers offer it). The assistant's machine tools and the MCP
endpoint's tools are both read from here, and a call is sent to the computer ``pick``
chooses."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from agent_bridge.local_agent.schemas import schema_is_valid
from agent_bridge.models import Agent

_UNSAFE = re.compile(r"[^a-z0-9_]+")


def tool_name(connector: str, action: str) -> str:
    name = _UNSAFE.sub("_", f"{connector}_{action}".lower()).strip("_")
    return name[:64] if name[:1].isalpha() else f"m_{name}"[:64]


@dataclass(frozen=True)
class OfferedAction:
    connector: str
    action: str
    spec: dict[str, Any]
    agents: list[Agent] = field(default_factory=list)  # online first

    @property
    def name(self) -> str:
        return tool_name(self.connector, self.action)

    @property
    def computers(self) -> list[str]:
        return sorted({a.name for a in self.agents})

    @property
    def writes(self) -> bool:
        return bool(self.spec.get("writes"))

    @property
    def description(self) -> str:
        text = (self.spec.get("description") or f"{self.connector} {self.action}")[:900]
        return f"{text} (runs on the user's computer: {', '.join(self.computers)})"

    def schema(self) -> dict[str, Any]:
        schema = copy.deepcopy(self.spec.get("params") or {"type": "object", "properties": {}})
        schema.setdefault("type", "object")
        schema.setdefault("properties", {})
        if len(self.computers) > 1:
            schema["properties"]["computer"] = {
                "type": "string",
                "enum": self.computers,
                "description": "Which of the user's computers to use (default: the one online).",
            }
        return schema


def offered_actions(user: Any) -> list[OfferedAction]:
    """Every action ``user``'s paired computers declared (a broken schema is left out)."""
    if not getattr(user, "is_authenticated", False):
        return []
    found: dict[tuple[str, str], OfferedAction] = {}
    for agent in Agent.objects.owned_by(user).active().order_by("-connected", "-last_seen_at"):
        for connector in agent.capabilities or ():
            for spec in connector.get("actions", ()):
                key = (connector["name"], spec["name"])
                offer = found.setdefault(key, OfferedAction(key[0], key[1], spec))
                offer.agents.append(agent)
    return [offer for offer in found.values() if schema_is_valid(offer.schema())]


def pick_computer(user_id: int, agent_ids: list[Any], wanted: str | None) -> Agent | None:
    """The computer a call goes to: the one named ``wanted``, else the one online (or
    seen last), among ``agent_ids`` still paired with ``user_id``."""
    candidates = list(
        Agent.objects.active()
        .filter(pk__in=agent_ids, owner_id=user_id)
        .order_by("-connected", "-last_seen_at")
    )
    if wanted:
        candidates = [a for a in candidates if a.name == wanted]
    return candidates[0] if candidates else None
