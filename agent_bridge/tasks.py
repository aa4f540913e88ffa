"""Celery tasks of the agent bridge: thin, idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import shared_task

from notifications.preferences import settings_for


@shared_task(name="agent_bridge.check_offline")
def check_offline(agent_id: str, away_since: str) -> str:
    """Raise "computer offline" if the agent is still away from the same disconnection."""
    from agent_bridge.models import Agent
    from agent_bridge.notices import notify_offline

    since = datetime.fromisoformat(away_since)
    agent = Agent.objects.select_related("owner").filter(pk=agent_id).first()
    if agent is None or agent.revoked_at or agent.connected or agent.disconnected_at != since:
        return "back or gone"
    notify_offline(agent, away_since=since)
    return "notified"


def schedule_offline_check(agent: Any) -> None:
    """After commit of a disconnection: check again after the owner's threshold."""
    minutes = settings_for(agent.owner).computer_offline_minutes
    check_offline.apply_async(
        (str(agent.pk), agent.disconnected_at.isoformat()), countdown=minutes * 60
    )
