"""Notifications of the agent bridge: a computer offline for longer than its owner's
threshold, and back again (a failed command is permissions.notices)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from agent_bridge.models import Agent
from notifications.actions import notify
from notifications.models import Category, Notification, Priority

RUN_AGAIN = "lmo-agent run"


def _apps_link() -> str:
    return reverse("settings_tab", args=["apps"])


def _offline_key(agent: Agent, away_since: datetime) -> str:
    return f"agent-offline:{agent.pk}:{away_since.timestamp():.6f}"


def notify_offline(agent: Agent, *, away_since: datetime) -> None:
    local = timezone.localtime(away_since, agent.owner.tzinfo)
    notify(
        owner=agent.owner,
        category=Category.COMPUTER,
        priority=Priority.HIGH,
        title=f"{agent.name} is offline",
        body=(
            f"{agent.name} has not been connected since {local:%H:%M on %d %b}. Commands for it "
            f"wait until it reconnects or their deadline passes. On that computer, run "
            f"`{RUN_AGAIN}`."
        ),
        link=_apps_link(),
        dedupe_key=_offline_key(agent, away_since),
    )


def notify_back_online(agent: Agent, *, away_since: datetime) -> None:
    """Only when the owner was told it went offline (a short blip says nothing)."""
    if not Notification.objects.filter(
        owner_id=agent.owner_id, dedupe_key=_offline_key(agent, away_since)
    ).exists():
        return
    notify(
        owner=agent.owner,
        category=Category.COMPUTER,
        priority=Priority.LOW,
        title=f"{agent.name} is back online",
        link=_apps_link(),
        dedupe_key=f"agent-online:{agent.pk}:{away_since.timestamp():.6f}",
    )
