"""Computers: revoke (tokens, live connection and waiting commands with it) and rename."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from agent_bridge.events import send_to_agent_on_commit
from agent_bridge.live import push_agent_on_commit
from agent_bridge.models import Agent, AgentToken
from permissions.actions import cancel_open_runs


@transaction.atomic
def revoke_agent(*, agent: Agent) -> bool:
    """Revoke a computer: its tokens stop working at once, its live connection is closed,
    and the commands still waiting for it are cancelled."""
    now = timezone.now()
    if not Agent.objects.filter(pk=agent.pk, revoked_at__isnull=True).update(
        revoked_at=now, connected=False, channel_name=""
    ):
        return False
    AgentToken.objects.filter(agent=agent, revoked_at__isnull=True).update(revoked_at=now)
    cancel_open_runs(agent=agent, reason="The computer was removed from your account.")
    send_to_agent_on_commit(agent, {"type": "agent.close", "code": 4410})
    agent.refresh_from_db()
    push_agent_on_commit(agent)
    return True


def rename_agent(*, agent: Agent, name: str) -> Agent:
    name = " ".join(name.split())[:80]
    if not name:
        raise ValueError("A computer needs a name.")
    agent.name = name
    agent.save(update_fields=["name"])
    push_agent_on_commit(agent)
    return agent


def retry_connector(*, agent: Agent, connector: str) -> None:
    """Ask the computer to start an unavailable connector again (raises ValueError when it
    is not one of its unavailable ones, or the computer is offline)."""
    names = {entry.get("name") for entry in agent.unavailable if isinstance(entry, dict)}
    if connector not in names:
        raise ValueError(f"{connector} is not an unavailable connector of {agent.name}.")
    if not agent.connected:
        raise ValueError(f"{agent.name} is offline: start its agent first.")
    send_to_agent_on_commit(agent, {"type": "agent.restart", "connector": connector})
