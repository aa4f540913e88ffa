"""Agent tokens: random, stored as SHA-256, shown once, revocable; checked on each use."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from agent_bridge.events import send_to_agent_on_commit
from agent_bridge.models import Agent, AgentToken

TOKEN_PREFIX = "lmo_at_"  # noqa: S105 (a marker, not a secret)
TOUCH_EVERY = timedelta(minutes=1)


def secret_digest(raw: str) -> str:
    """What is stored of a secret (a token, a pairing device code): its SHA-256. Both are
    long random strings, so a plain hash is enough to make a leaked table useless."""
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made: ``raw`` exists only here, to be shown once."""

    token: AgentToken
    raw: str


def create_token(*, agent: Agent, created_by: Any = None, label: str = "") -> NewToken:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AgentToken.objects.create(
        agent=agent,
        digest=secret_digest(raw),
        prefix=raw[:12],
        label=label[:80],
        created_by=created_by,
    )
    return NewToken(token=token, raw=raw)


class TokenRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "invalid" or "revoked"


def authenticate_token(raw: str) -> Agent:
    """The agent this bearer token belongs to; raises TokenRefused. Revocation of the
    token, of the agent, and deactivation of the owner are checked on every use."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        raise TokenRefused("invalid")
    token = (
        AgentToken.objects.select_related("agent__owner").filter(digest=secret_digest(raw)).first()
    )
    if token is None:
        raise TokenRefused("invalid")
    agent = token.agent
    if token.revoked_at or agent.revoked_at or not agent.owner.is_active:
        raise TokenRefused("revoked")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        AgentToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return agent


@transaction.atomic
def revoke_token(*, token: AgentToken) -> None:
    if AgentToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    ):
        # The live connection used some token of this agent: close it; the agent's other
        # valid tokens (if any) let it reconnect.
        send_to_agent_on_commit(token.agent, {"type": "agent.close", "code": 4410})
