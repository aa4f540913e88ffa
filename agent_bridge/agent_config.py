"""Server-side preferences sent to a computer at hello (``hello_ok.config``) and whenever
they change (a ``config`` frame). Apps register what they contribute; the activities app
sends its tracking switches, so the agent stops capturing what the user switched off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ConfigSource = Callable[[Any], dict[str, Any]]
_sources: list[ConfigSource] = []


def register_config_source(source: ConfigSource) -> None:
    """``source(agent)`` returns this app's part of the agent's config."""
    if source not in _sources:
        _sources.append(source)


def config_for(*, agent_id: Any) -> dict[str, Any]:
    from agent_bridge.models import Agent

    return _collect(Agent.objects.select_related("owner").get(pk=agent_id))


def _collect(agent: Any) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for source in _sources:
        config.update(source(agent))
    return config


def send_config_on_commit(owner: Any) -> None:
    """Send the fresh config to every computer of ``owner`` that is connected."""
    from agent_bridge.events import AgentConfig, send_to_agent_on_commit
    from agent_bridge.models import Agent

    for agent in Agent.objects.filter(owner=owner, revoked_at__isnull=True):
        event: AgentConfig = {"type": "agent.config", "config": _collect(agent)}
        send_to_agent_on_commit(agent, event)
