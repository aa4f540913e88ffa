"""Changing grants from Settings → Permissions: revoke, change expiry, revoke
everything, add a block rule. A revocation takes effect for the next command at once
(every decision reads the database), and commands it allowed that still wait in the
queue are cancelled."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from permissions.actions.requests import decide_request
from permissions.actions.runs import cancel_run
from permissions.models import ANY_ACTION, CommandRun, Grant, Origin, PermissionRequest
from permissions.scopes import normalise

if TYPE_CHECKING:
    from agent_bridge.models import Agent

EXPIRY_CHOICES = {
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "8h": timedelta(hours=8),
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
}


class GrantRefused(Exception):
    """The change cannot be made as given; says why."""


def _cancel_queued(grant_ids: list[Any], reason: str) -> int:
    queued = CommandRun.objects.filter(grant_id__in=grant_ids, state=CommandRun.State.QUEUED)
    return sum(cancel_run(run=run, reason=reason) for run in queued)


def revoke_grant(*, grant: Grant) -> bool:
    """Revoke one grant; False if it was no longer live."""
    with transaction.atomic():
        if not Grant.objects.live().filter(pk=grant.pk).update(revoked_at=timezone.now()):
            return False
    _cancel_queued([grant.pk], "You revoked the permission before it ran.")
    return True


def set_expiry(*, grant: Grant, choice: str) -> Grant:
    """Make a live allow grant expire ``choice`` from now ("15m", "1h", "8h", "1d", "7d")."""
    delta = EXPIRY_CHOICES.get(choice)
    if delta is None:
        raise GrantRefused("Choose how long it should last.")
    if grant.kind == Grant.Kind.ONCE:
        raise GrantRefused("A once-only permission has no expiry to change.")
    expires = timezone.now() + delta
    if (
        not Grant.objects.live()
        .filter(pk=grant.pk)
        .update(expires_at=expires, kind=Grant.Kind.UNTIL)
    ):
        raise GrantRefused("That permission was revoked or has expired.")
    grant.refresh_from_db()
    return grant


def revoke_everything(*, user: Any) -> tuple[int, int]:
    """The panic button: every live grant revoked, every pending request denied, every
    command still queued cancelled. Returns (grants revoked, requests denied)."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(Grant.objects.owned_by(user).live(now).values_list("pk", flat=True))
        Grant.objects.filter(pk__in=ids).update(revoked_at=now)
    _cancel_queued(ids, "You revoked every permission before it ran.")
    queued = CommandRun.objects.owned_by(user).filter(state=CommandRun.State.QUEUED)
    for run in queued:
        cancel_run(run=run, reason="You revoked every permission before it ran.")
    denied = 0
    for request in PermissionRequest.objects.owned_by(user).pending():
        _, done = decide_request(
            user=user, request=request, choice=PermissionRequest.Choice.DENY, origin=Origin.SETTINGS
        )
        denied += done
    return len(ids), denied


def block(
    *,
    user: Any,
    agent: Agent | None,
    target: str,
    action: str,
    scope: str = "",
    ip: str | None = None,
) -> Grant:
    """A standing deny rule: it beats any allow."""
    target = target.strip()
    action = action.strip() or ANY_ACTION
    if not target or len(target) > 64 or len(action) > 64:
        raise GrantRefused("Name the connector (and optionally the action) to block.")
    if agent is not None and agent.owner_id != user.pk:
        raise GrantRefused("That computer is not yours.")
    return Grant.objects.create(
        owner=user,
        agent=agent,
        target=target,
        action=action,
        scope=normalise(target, scope)[:1000],
        effect=Grant.Effect.DENY,
        kind=Grant.Kind.ALWAYS,
        created_by=user,
        origin=Origin.SETTINGS,
        created_ip=ip,
    )
