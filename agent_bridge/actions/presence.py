"""Connected / last seen: written by the agent's connection, pushed to the owner's pages;
a computer that stays away longer than the owner's threshold raises a notification."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from agent_bridge.live import push_agent_on_commit
from agent_bridge.local_agent import protocol
from agent_bridge.models import Agent
from agent_bridge.notices import notify_back_online


@dataclass(frozen=True)
class Connected:
    agent: Agent
    replaced_channel: str  # the connection this one replaces ("" if none)


@transaction.atomic
def mark_connected(
    *, agent_id: Any, channel_name: str, hello: protocol.Hello, protocol_version: int
) -> Connected | None:
    """Record a connection that said hello; None if the computer was revoked meanwhile."""
    agent = Agent.objects.select_for_update().filter(pk=agent_id, revoked_at__isnull=True).first()
    if agent is None:
        return None
    replaced = agent.channel_name if agent.connected else ""
    was_away_since = None if agent.connected else agent.disconnected_at
    now = timezone.now()
    agent.platform = hello.platform
    agent.hostname = hello.hostname
    agent.agent_version = hello.agent_version
    agent.protocol_version = protocol_version
    agent.capabilities = [c.model_dump() for c in hello.connectors]
    agent.unavailable = [u.model_dump() for u in hello.unavailable]
    agent.connected = True
    agent.channel_name = channel_name
    agent.connected_at = now
    agent.last_seen_at = now
    agent.save()
    push_agent_on_commit(agent)
    if was_away_since is not None:
        notify_back_online(agent, away_since=was_away_since)
    return Connected(agent=agent, replaced_channel=replaced)


def mark_disconnected(*, agent_id: Any, channel_name: str) -> bool:
    """The connection ``channel_name`` ended. A connection that was replaced changes
    nothing (the newer one is the computer's presence)."""
    from agent_bridge.tasks import schedule_offline_check

    now = timezone.now()
    with transaction.atomic():
        if not Agent.objects.filter(pk=agent_id, channel_name=channel_name, connected=True).update(
            connected=False, channel_name="", disconnected_at=now, last_seen_at=now
        ):
            return False
        agent = Agent.objects.get(pk=agent_id)
        push_agent_on_commit(agent)
        transaction.on_commit(lambda: schedule_offline_check(agent))
    return True


def touch_agent(*, agent_id: Any) -> None:
    Agent.objects.filter(pk=agent_id).update(last_seen_at=timezone.now())
