"""Reading computers, tokens and runs on a user's behalf (another user's are a 404)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from agent_bridge.models import Agent, AgentToken
from permissions.models import CommandRun, CommandRunQuerySet

RUNS_PAGE = 50


def get_agent_for_user(user: Any, pk: Any) -> Agent:
    return get_object_or_404(Agent, pk=pk, owner=user)


def get_token_for_user(user: Any, pk: Any) -> AgentToken:
    return get_object_or_404(AgentToken.objects.select_related("agent"), pk=pk, agent__owner=user)


def agents_for_user(user: Any) -> list[Agent]:
    """Paired computers (revoked ones are history, not listed), online first."""
    return list(
        Agent.objects.owned_by(user)
        .active()
        .prefetch_related("tokens")
        .order_by("-connected", "name", "created_at")
    )


def runs_for_agent(agent: Agent) -> CommandRunQuerySet:
    return CommandRun.objects.filter(agent=agent).order_by("-created_at")
