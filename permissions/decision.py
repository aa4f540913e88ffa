""" "May this run?" — the one place that decides.

Order: a matching deny grant beats any allow; revoked, expired and used-up grants never
match; among allows, standing grants (always, until) are preferred to once-grants, so a
once-grant is kept for the command it was made for. A once-grant is consumed by the
command it allows with a conditional UPDATE (``consume``): of two concurrent commands
only one can use it. The computer's own local policy applies on top, on the computer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Q
from django.utils import timezone

from permissions.models import ANY_ACTION, Grant
from permissions.scopes import covers, subject_of

Outcome = Literal["allow", "deny", "ask"]
_KIND_ORDER: dict[str, int] = {"always": 0, "until": 1, "once": 2}


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    grant: Grant | None = None

    @property
    def reason(self) -> str:
        if self.outcome == "deny" and self.grant is not None:
            scope = f" for {self.grant.scope}" if self.grant.scope else ""
            return f"blocked by your rule “{self.grant.target}.{self.grant.action}{scope}”"
        if self.outcome == "allow":
            return "allowed"
        return "needs your permission"


def matching_grants(
    *, owner_id: int, agent_id: Any, target: str, action: str, params: dict[str, Any], now: Any
) -> list[Grant]:
    """The live grants of ``owner_id`` that cover this exact command (one indexed query)."""
    subject = subject_of(target, params)
    candidates = Grant.objects.filter(
        Q(agent_id__isnull=True) | Q(agent_id=agent_id),
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        owner_id=owner_id,
        target=target,
        action__in=(action, ANY_ACTION),
        revoked_at__isnull=True,
        consumed_at__isnull=True,
    )
    return [g for g in candidates if covers(target, g.scope, subject)]


def may_run(
    *,
    owner_id: int,
    agent_id: Any,
    target: str,
    action: str,
    params: dict[str, Any],
    now: Any = None,
    exclude: set[Any] | None = None,
) -> Verdict:
    """Decide whether this command may run now, without changing anything."""
    grants = matching_grants(
        owner_id=owner_id,
        agent_id=agent_id,
        target=target,
        action=action,
        params=params,
        now=now or timezone.now(),
    )
    if exclude:
        grants = [g for g in grants if g.pk not in exclude]
    denies = [g for g in grants if g.effect == Grant.Effect.DENY]
    if denies:
        return Verdict("deny", denies[0])
    if not grants:
        return Verdict("ask")
    best = min(grants, key=lambda g: (_KIND_ORDER[g.kind], g.created_at))
    return Verdict("allow", best)


def consume(grant: Grant, *, now: Any = None) -> bool:
    """Use a once-grant up (True), or say another command got it first (False). Standing
    grants are not consumed; they are checked to still be live."""
    now = now or timezone.now()
    live = Grant.objects.live(now).filter(pk=grant.pk)
    if grant.kind != Grant.Kind.ONCE:
        return live.exists()
    return bool(live.update(consumed_at=now))
