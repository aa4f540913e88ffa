"""Pairing a computer with the device-code flow (RFC 8628 in spirit).

1. The agent calls ``start_pairing``: it gets a secret device code and shows the user a
   short code (``ABCD-2345``), valid for 10 minutes.
2. The user, signed in with their second factor, enters the short code in Settings →
   Apps: ``approve_pairing`` creates the computer.
3. The agent's next ``poll_pairing`` receives the computer's token, once.

Codes are single-use; starting is rate-limited per address and entering per user
(brute force of the 32^8 code space is throttled to a handful of tries)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from agent_bridge.actions.tokens import create_token, secret_digest
from agent_bridge.live import push_agent_on_commit
from agent_bridge.models import Agent, Pairing

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_TTL = timedelta(minutes=10)
POLL_INTERVAL_SECONDS = 2
START_LIMIT = 10  # per address per window
ENTRY_LIMIT = 5  # wrong codes per user per window
WINDOW_SECONDS = 600


class PairingError(Exception):
    """Shown to the user as is."""


class RateLimited(PairingError):
    pass


def _hit(key: str, limit: int) -> bool:
    """Count one attempt; True when over the limit for this window."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count > limit


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class PairingStarted:
    device_code: str
    user_code: str  # formatted ABCD-EFGH
    expires_in: int
    interval: int


def start_pairing(*, name: str, platform: str = "", address: str | None = None) -> PairingStarted:
    if address and _hit(f"agent-pair-start:{address}", START_LIMIT):
        raise RateLimited("Too many pairing requests from this address; wait a few minutes.")
    name = " ".join(name.split())[:80] or "My computer"
    device_code = secrets.token_urlsafe(32)
    for _ in range(5):
        user_code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if not Pairing.objects.filter(user_code=user_code).exists():
            break
    Pairing.objects.filter(expires_at__lt=timezone.now() - CODE_TTL).delete()
    Pairing.objects.create(
        device_digest=secret_digest(device_code),
        user_code=user_code,
        name=name,
        platform=platform[:120],
        requested_from=address,
        expires_at=timezone.now() + CODE_TTL,
    )
    return PairingStarted(
        device_code=device_code,
        user_code=format_code(user_code),
        expires_in=int(CODE_TTL.total_seconds()),
        interval=POLL_INTERVAL_SECONDS,
    )


@transaction.atomic
def approve_pairing(*, user: Any, code: str, name: str = "") -> Agent:
    """Pair the computer showing ``code`` with ``user``; raises PairingError."""
    if cache.get(f"agent-pair-entry:{user.pk}", 0) >= ENTRY_LIMIT:
        raise RateLimited("Too many wrong codes. Wait ten minutes, then start pairing again.")
    normalised = normalise_code(code)
    pairing = (
        Pairing.objects.select_for_update()
        .filter(user_code=normalised, state=Pairing.State.PENDING, expires_at__gt=timezone.now())
        .first()
        if len(normalised) == 8
        else None
    )
    if pairing is None:
        _hit(f"agent-pair-entry:{user.pk}", ENTRY_LIMIT)
        raise PairingError(
            "That code is not valid: it may be mistyped, used already or expired "
            "(codes last 10 minutes). Start pairing again on the computer for a new one."
        )
    agent = Agent.objects.create(
        owner=user, name=(" ".join(name.split())[:80] or pairing.name), platform=pairing.platform
    )
    pairing.state = Pairing.State.APPROVED
    pairing.agent = agent
    pairing.approved_by = user
    pairing.save(update_fields=["state", "agent", "approved_by"])
    push_agent_on_commit(agent)
    return agent


@dataclass(frozen=True)
class PollOutcome:
    status: str  # pending, slow_down, expired, approved
    token: str = ""
    agent: Agent | None = None


@transaction.atomic
def poll_pairing(*, device_code: str) -> PollOutcome:
    """What the waiting agent gets: its token once approved (exactly once)."""
    now = timezone.now()
    pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("agent", "approved_by")
        .filter(device_digest=secret_digest(device_code))
        .first()
    )
    if pairing is None or pairing.state == Pairing.State.DELIVERED:
        return PollOutcome("expired")
    if pairing.state == Pairing.State.PENDING:
        if pairing.expires_at <= now:
            return PollOutcome("expired")
        too_soon = pairing.last_polled_at and (now - pairing.last_polled_at) < timedelta(
            seconds=POLL_INTERVAL_SECONDS - 1
        )
        pairing.last_polled_at = now
        pairing.save(update_fields=["last_polled_at"])
        return PollOutcome("slow_down" if too_soon else "pending")
    agent = pairing.agent
    assert agent is not None
    pairing.state = Pairing.State.DELIVERED
    pairing.save(update_fields=["state"])
    token = create_token(agent=agent, created_by=pairing.approved_by, label="paired")
    return PollOutcome("approved", token=token.raw, agent=agent)
