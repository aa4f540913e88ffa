"""Agent-bridge fixtures: a paired computer with declared connectors, and its token."""

from __future__ import annotations

from typing import Any

import pytest

from agent_bridge.actions import create_token
from agent_bridge.local_agent import protocol
from agent_bridge.models import Agent
from permissions.models import ANY_ACTION, Grant, Origin

FS_LIST = {
    "type": "object",
    "properties": {"path": {"type": "string", "minLength": 1}},
    "required": ["path"],
    "additionalProperties": False,
}
CONNECTORS = [
    protocol.ConnectorSpec(
        name="filesystem",
        actions=[protocol.ActionSpec(name="list", description="List a folder.", params=FS_LIST)],
    ),
    protocol.ConnectorSpec(name="system", actions=[protocol.ActionSpec(name="ping")]),
]


def hello(**overrides: Any) -> protocol.Hello:
    fields: dict[str, Any] = {
        "protocols": [1],
        "agent_version": "test",
        "platform": "Linux test",
        "hostname": "box",
        "connectors": CONNECTORS,
        **overrides,
    }
    return protocol.Hello(**fields)


BRIDGE_TARGETS = ("filesystem", "system", "shell", "browser", "apps", "mcp:time")


def allow_everything(owner: Any, agent: Agent | None = None) -> None:
    """Standing grants for every connector (these tests are about the bridge; what
    permissions decide is tested in tests/permissions)."""
    for target in BRIDGE_TARGETS:
        Grant.objects.create(
            owner=owner,
            agent=agent,
            target=target,
            action=ANY_ACTION,
            kind=Grant.Kind.ALWAYS,
            created_by=owner,
            origin=Origin.SETTINGS,
        )


def make_agent(owner: Any, name: str = "laptop", *, allow: bool = True) -> tuple[Agent, str]:
    agent = Agent.objects.create(
        owner=owner, name=name, capabilities=[c.model_dump() for c in CONNECTORS]
    )
    if allow:
        allow_everything(owner, agent)
    return agent, create_token(agent=agent, created_by=owner).raw


@pytest.fixture
def laptop(alice: Any) -> tuple[Agent, str]:
    return make_agent(alice)
