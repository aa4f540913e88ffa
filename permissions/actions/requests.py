"""Asking the user: the gate every command call passes, the decision, and expiry.

A call goes through ``gate_command``: a grant lets it run, a block rule records it as
denied, otherwise a PermissionRequest is opened (an inline card in the chat and an urgent
notification) and the caller waits. ``decide_request`` answers it (first decision wins),
``expire_requests`` ends the unanswered ones and ``withdraw_requests`` those whose caller
gave up; each settles the wait (permissions.waiting)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from permissions import live
from permissions.actions.refusals import record_refused
from permissions.actions.runs import queue_command
from permissions.exceptions import (
    CommandRefused,
    DecisionRefused,
    PermissionNeeded,
    PermissionRefused,
    StepUpNeeded,
)
from permissions.models import CommandRun, Grant, Origin, PermissionRequest
from permissions.notices import notify_request, settle_notice
from permissions.scopes import normalise, scope_problem, subject_of
from permissions.waiting import request_outcome, settle_on_commit

if TYPE_CHECKING:
    from agent_bridge.models import Agent

log = logging.getLogger(__name__)
Status = PermissionRequest.Status
Choice = PermissionRequest.Choice


@dataclass(frozen=True)
class Gate:
    """Exactly one is set: the run (allowed, or recorded as denied) or the request."""

    run: CommandRun | None = None
    request: PermissionRequest | None = None


def gate_command(
    *,
    agent: Agent,
    target: str,
    action: str,
    params: dict[str, Any],
    idempotency_key: str,
    requested_by_id: int | None = None,
    conversation_id: int | None = None,
    message_id: int | None = None,
    timeout: float | None = None,
    organisation_id: int | None = None,
    key_prefix: str = "",
    client: str = "",
) -> Gate:
    """Run it if a grant allows it, record it as denied if a block rule matches, or ask.
    Idempotent on ``idempotency_key`` (the tool call): a re-run node finds what it made."""
    request = PermissionRequest.objects.filter(idempotency_key=idempotency_key).first()
    if request is not None:
        return Gate(request=request)
    common: dict[str, Any] = {
        "agent": agent,
        "target": target,
        "action": action,
        "params": params,
        "requested_by_id": requested_by_id,
        "idempotency_key": idempotency_key,
        "conversation_id": conversation_id,
        "message_id": message_id,
        "organisation_id": organisation_id,
        "key_prefix": key_prefix,
        "client": client,
    }
    try:
        return Gate(run=queue_command(timeout=timeout, **common))
    except PermissionRefused as refused:
        run = record_refused(
            state=CommandRun.State.DENIED,
            reason=str(refused),
            grant=refused.grant,
            decided_by_id=refused.grant.created_by_id,
            **common,
        )
        return Gate(run=run)
    except PermissionNeeded:
        pass
    return Gate(request=_open_request(timeout=timeout, **common))


def _open_request(
    *,
    agent: Agent,
    target: str,
    action: str,
    params: dict[str, Any],
    idempotency_key: str,
    requested_by_id: int | None,
    conversation_id: int | None,
    message_id: int | None,
    timeout: float | None,
    organisation_id: int | None,
    key_prefix: str,
    client: str,
) -> PermissionRequest:
    spec = agent.action(target, action) or {}
    now = timezone.now()
    try:
        with transaction.atomic():
            request = PermissionRequest.objects.create(
                owner_id=agent.owner_id,
                agent=agent,
                target=target,
                action=action,
                params=params,
                subject=subject_of(target, params),
                writes=bool(spec.get("writes")),
                timeout=timeout,
                expires_at=now + timedelta(minutes=settings.LMO_PERMISSION_REQUEST_MINUTES),
                idempotency_key=idempotency_key,
                conversation_id=conversation_id,
                message_id=message_id,
                organisation_id=organisation_id,
                key_prefix=key_prefix,
                client=client,
            )
            notify_request(request)
    except IntegrityError:
        return PermissionRequest.objects.get(idempotency_key=idempotency_key)
    return request


def requires_step_up(request: PermissionRequest, choice: str) -> bool:
    """Allowing shell, or an action that changes things, "Always" asks for a fresh code."""
    return choice == Choice.ALWAYS and (request.target == "shell" or request.writes)


def decide_request(
    *,
    user: Any,
    request: PermissionRequest,
    choice: str,
    scope: str | None = None,
    origin: str = Origin.CHAT,
    ip: str | None = None,
    stepped_up: bool = False,
) -> tuple[PermissionRequest, bool]:
    """Answer ``request`` as ``user`` (the caller fetched it for this user). Returns the
    request as it now is and whether this call decided it (False: it was already
    decided, by another tab or by expiry — the first decision wins).

    Raises DecisionRefused (StepUpNeeded) when the choice cannot be taken as given;
    nothing changes then."""
    if choice not in Choice.values:
        window = PermissionRequest.label_of(Choice.WINDOW)
        raise DecisionRefused(f"Choose Allow once, {window}, Always or Deny.")
    with transaction.atomic():
        locked = (
            PermissionRequest.objects.select_for_update().select_related("agent").get(pk=request.pk)
        )
        if not locked.is_pending:
            return locked, False
        if locked.expires_at <= timezone.now():
            _expire(locked, note="Nobody answered in time, so it did not run.")
            return locked, False
        if requires_step_up(locked, choice) and not stepped_up:
            raise StepUpNeeded("Enter a code from your authenticator app to allow this always.")
        locked.choice = choice
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.decided_from = origin
        if choice == Choice.DENY:
            _deny(locked, user)
        else:
            _approve(locked, user, choice, _scope_for(locked, choice, scope), origin, ip)
        settle_notice(locked)
        live.push_request_on_commit(locked)
        _settle_on_commit(locked)
    return locked, True


def _scope_for(request: PermissionRequest, choice: str, scope: str | None) -> str:
    if choice == Choice.ONCE:
        return request.subject  # exactly this command
    if scope is None:
        return request.subject
    scope = normalise(request.target, scope)
    problem = scope_problem(request.target, scope, request.subject)
    if problem:
        raise DecisionRefused(problem)
    return scope


def _approve(
    request: PermissionRequest, user: Any, choice: str, scope: str, origin: str, ip: str | None
) -> None:
    now = timezone.now()
    kind = {
        Choice.ONCE: Grant.Kind.ONCE,
        Choice.WINDOW: Grant.Kind.UNTIL,
        Choice.ALWAYS: Grant.Kind.ALWAYS,
    }[Choice(choice)]
    expires = None
    if kind == Grant.Kind.UNTIL:
        expires = now + timedelta(minutes=settings.LMO_PERMISSION_WINDOW_MINUTES)
    grant = Grant.objects.create(
        owner_id=request.owner_id,
        agent=request.agent,
        target=request.target,
        action=request.action,
        scope=scope,
        effect=Grant.Effect.ALLOW,
        kind=kind,
        expires_at=expires,
        created_by=user,
        origin=origin,
        created_ip=ip,
    )
    request.status = Status.APPROVED
    request.grant = grant
    request.save()
    common = _run_fields(request)
    try:
        queue_command(grant=grant, decided_by_id=user.pk, timeout=request.timeout, **common)
    except CommandRefused as refused:  # the computer was removed meanwhile, say
        record_refused(
            state=CommandRun.State.CANCELLED, reason=str(refused), decided_by_id=user.pk, **common
        )


def _deny(request: PermissionRequest, user: Any) -> None:
    request.status = Status.DENIED
    request.save()
    record_refused(
        state=CommandRun.State.DENIED,
        reason="You denied this request.",
        decided_by_id=user.pk,
        **_run_fields(request),
    )


def _expire(request: PermissionRequest, *, note: str) -> None:
    """Inside a transaction holding the request."""
    request.status = Status.EXPIRED
    request.note = note
    request.decided_at = timezone.now()
    request.save()
    record_refused(state=CommandRun.State.EXPIRED, reason=note, **_run_fields(request))
    settle_notice(request)
    live.push_request_on_commit(request)
    _settle_on_commit(request)


def _run_fields(request: PermissionRequest) -> dict[str, Any]:
    return {
        "agent": request.agent,
        "target": request.target,
        "action": request.action,
        "params": request.params,
        "requested_by_id": request.owner_id,
        "idempotency_key": request.idempotency_key,
        "conversation_id": request.conversation_id,
        "message_id": request.message_id,
        "organisation_id": request.organisation_id,
        "key_prefix": request.key_prefix,
        "client": request.client,
        "permission_request_id": request.pk,
    }


def _settle_on_commit(request: PermissionRequest) -> None:
    settle_on_commit(
        request.wait_key, request_outcome(request), conversation_id=request.conversation_id
    )


def expire_requests(*, now: Any = None) -> int:
    """End every pending request past its expiry (beat, every few seconds): recorded as
    not answered, and the waiting caller continues with that."""
    now = now or timezone.now()
    minutes = settings.LMO_PERMISSION_REQUEST_MINUTES
    due = PermissionRequest.objects.pending().filter(expires_at__lte=now)
    return _expire_each(due, f"Nobody answered within {minutes} minutes, so it did not run.")


def withdraw_requests(*, message_id: int, note: str) -> int:
    """The caller that asked gave up (the chat's answer was stopped or deleted): its
    pending requests end as not answered, with ``note`` as the reason."""
    return _expire_each(PermissionRequest.objects.pending().filter(message_id=message_id), note)


def _expire_each(requests: Any, note: str) -> int:
    count = 0
    for request_id in list(requests.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            request = (
                PermissionRequest.objects.select_for_update()
                .select_related("agent")
                .filter(pk=request_id, status=Status.PENDING)
                .first()
            )
            if request is not None:
                _expire(request, note=note)
                count += 1
    return count
