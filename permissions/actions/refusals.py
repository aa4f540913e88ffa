"""The audit record of a command that was never run: denied, its request not answered,
or refused when it was allowed (the computer was removed meanwhile)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from permissions.audit import seal
from permissions.models import CommandRun, Grant

if TYPE_CHECKING:
    from agent_bridge.models import Agent


def record_refused(
    *,
    agent: Agent,
    target: str,
    action: str,
    params: dict[str, Any],
    state: str,
    reason: str,
    requested_by_id: int | None = None,
    idempotency_key: str | None = None,
    conversation_id: int | None = None,
    message_id: int | None = None,
    organisation_id: int | None = None,
    key_prefix: str = "",
    client: str = "",
    grant: Grant | None = None,
    permission_request_id: Any = None,
    decided_by_id: int | None = None,
) -> CommandRun:
    """The audit record of a command that was not run (denied, or its request expired),
    sealed at once. Idempotent on ``idempotency_key``."""
    if idempotency_key:
        existing = CommandRun.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    with transaction.atomic():
        run = CommandRun.objects.create(
            owner_id=agent.owner_id,
            agent=agent,
            target=target,
            action=action,
            params=params,
            state=state,
            deadline=now,
            finished_at=now,
            error_code=state,
            error=reason,
            requested_by_id=requested_by_id,
            idempotency_key=idempotency_key,
            conversation_id=conversation_id,
            message_id=message_id,
            organisation_id=organisation_id,
            key_prefix=key_prefix,
            client=client,
            grant=grant,
            permission_request_id=permission_request_id,
            decided_by_id=decided_by_id,
        )
        seal(run.pk)
    run.refresh_from_db()
    return run
