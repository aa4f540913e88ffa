"""Command runs: queued in the database first, sent by the computer's live connection,
acknowledged, answered; recovered after dropped connections, expired at their deadline.

The row is the truth. The channel layer only nudges the connection (permissions.events),
which sends a queued command with a conditional UPDATE (queued → sent) scoped to its own
channel, so two connections of one computer can never both send it. At each hello the
computer's open runs are reconciled with what the agent still holds (``reconcile_runs``).
A finished run is sealed into the audit and settles whoever waits for it
(permissions.waiting)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from agent_bridge.local_agent import protocol
from agent_bridge.local_agent.schemas import SchemaProblem, check_params
from lmo.organisations.access import current_organisation_id
from lmo.usage.actions import record_usage
from permissions.audit import seal
from permissions.decision import consume, may_run
from permissions.events import nudge_on_commit
from permissions.exceptions import CommandRefused, PermissionNeeded, PermissionRefused
from permissions.models import CommandRun, Grant
from permissions.notices import notify_run_failed
from permissions.results import keep_result, needs_files
from permissions.waiting import run_outcome, settle_on_commit

if TYPE_CHECKING:
    from agent_bridge.models import Agent

log = logging.getLogger(__name__)
RESEND_LIMIT = 2  # a command is sent at most twice (once more after a dropped connection)
State = CommandRun.State


def _check(agent: Agent, target: str, action: str, params: dict[str, Any]) -> None:
    if agent.revoked_at is not None:
        raise CommandRefused(f"{agent.name} was removed from your account.")
    spec = agent.action(target, action)
    if spec is None:
        raise CommandRefused(f"{agent.name} does not offer {target}.{action}.")
    try:
        check_params(params, spec.get("params") or {"type": "object"})
    except SchemaProblem as exc:
        if exc.broken_schema:
            raise CommandRefused(
                f"{agent.name} declared an invalid schema for {target}.{action}."
            ) from None
        raise CommandRefused(f"Invalid parameters for {target}.{action}: {exc}") from None


def queue_command(
    *,
    agent: Agent,
    target: str,
    action: str,
    params: dict[str, Any],
    requested_by_id: int | None = None,
    timeout: float | None = None,
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
    """Store a command for ``agent`` and nudge its connection after commit. With an
    ``idempotency_key`` the same request returns the run it already made.

    Nothing is queued without permission: with no ``grant`` given, ``permissions`` decides
    (PermissionRefused for a block rule, PermissionNeeded when nothing allows it); a
    once-grant is used up by this command, atomically."""
    if idempotency_key:
        existing = CommandRun.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    _check(agent, target, action, params)
    seconds = timeout if timeout is not None else settings.LMO_AGENT_COMMAND_TIMEOUT
    try:
        with transaction.atomic():
            permit = _take_permit(agent, target, action, params, grant)
            run = CommandRun.objects.create(
                owner_id=agent.owner_id,
                agent=agent,
                target=target,
                action=action,
                params=params,
                deadline=timezone.now() + timedelta(seconds=seconds),
                requested_by_id=requested_by_id,
                idempotency_key=idempotency_key,
                conversation_id=conversation_id,
                message_id=message_id,
                organisation_id=organisation_id,
                key_prefix=key_prefix,
                client=client,
                grant=permit,
                permission_request_id=permission_request_id,
                decided_by_id=decided_by_id or permit.created_by_id,
            )
            _meter(run)
            nudge_on_commit(run)
    except IntegrityError:
        return CommandRun.objects.get(idempotency_key=idempotency_key)
    return run


def _meter(run: CommandRun) -> None:
    """A command sent to a computer counts once, in its caller's organisation and key."""
    record_usage(
        user_id=run.owner_id,
        organisation_id=run.organisation_id or current_organisation_id(run.owner),
        key_prefix=run.key_prefix,
        machine_commands=1,
    )


def _take_permit(
    agent: Agent, target: str, action: str, params: dict[str, Any], given: Grant | None
) -> Grant:
    """The grant this command runs under, used up if it is a once-grant."""
    if given is not None:
        if not consume(given):
            raise PermissionNeeded("That permission was revoked or already used.")
        return given
    tried: set[Any] = set()
    for _ in range(3):
        verdict = may_run(
            owner_id=agent.owner_id,
            agent_id=agent.pk,
            target=target,
            action=action,
            params=params,
            exclude=tried,
        )
        if verdict.outcome == "deny" and verdict.grant is not None:
            raise PermissionRefused(f"{target}.{action} is {verdict.reason}.", verdict.grant)
        if verdict.grant is None:
            break
        if consume(verdict.grant):
            return verdict.grant
        tried.add(verdict.grant.pk)  # another command used it first: look again
    raise PermissionNeeded(f"{target}.{action} on {agent.name} needs your permission.")


def claim_for_send(*, run_id: str, channel_name: str) -> bool:
    """The connection ``channel_name`` may send this command now (queued → sent); False
    when another connection sent it, it finished, its deadline passed or it is not for
    this computer."""
    now = timezone.now()
    return bool(
        CommandRun.objects.filter(
            pk=run_id, state=State.QUEUED, deadline__gt=now, agent__channel_name=channel_name
        ).update(state=State.SENT, sent_at=now, attempts=F("attempts") + 1)
    )


def record_ack(*, agent_id: Any, run_id: str) -> str:
    """ "acked", "ignored" (not waiting for an ack) or "unknown" (not this agent's)."""
    if CommandRun.objects.filter(pk=run_id, agent_id=agent_id, state=State.SENT).update(
        state=State.ACKED, acked_at=timezone.now()
    ):
        return "acked"
    return (
        "ignored" if CommandRun.objects.filter(pk=run_id, agent_id=agent_id).exists() else "unknown"
    )


def record_result(*, agent_id: Any, frame: protocol.Result, size: int = 0) -> str:
    """Store a result (of ``size`` bytes on the wire; its files moved out of the row:
    ``permissions.results``): "stored", "ignored" (already finished: logged) or
    "unknown" (no such command for this agent: logged)."""
    if frame.ok and not needs_files(frame.data, size) and _succeed_quietly(agent_id, frame):
        return "stored"
    with transaction.atomic():
        run = (
            CommandRun.objects.select_for_update()
            .select_related("agent__owner")
            .filter(pk=frame.id, agent_id=agent_id)
            .first()
        )
        if run is None:
            log.warning("agent %s sent a result for unknown command %s", agent_id, frame.id)
            return "unknown"
        if run.is_finished:
            log.info("ignoring a result for finished command %s (%s)", run.pk, run.state)
            return "ignored"
        data = keep_result(run, frame.data, size)
        if frame.ok:
            _finish(run, State.SUCCEEDED, result=data, duration_ms=frame.duration_ms)
        else:
            error = frame.error or protocol.ResultError(code="failed", message="No details.")
            _finish(
                run,
                State.FAILED,
                result=data,
                error_code=error.code,
                error=error.message,
                duration_ms=frame.duration_ms,
            )
    return "stored"


def _succeed_quietly(agent_id: Any, frame: protocol.Result) -> bool:
    """The common case in one statement: a success for an open command nobody waits on
    (queued without a caller's idempotency key: no waiter to settle, nothing to notify)."""
    now = timezone.now()
    with transaction.atomic():
        done = CommandRun.objects.filter(
            pk=frame.id,
            agent_id=agent_id,
            state__in=CommandRun.OPEN_STATES,
            idempotency_key__isnull=True,
        ).update(
            state=State.SUCCEEDED,
            result=frame.data,
            duration_ms=frame.duration_ms,
            finished_at=now,
            acked_at=Coalesce("acked_at", Value(now)),
        )
        if done:
            seal(frame.id)
    return bool(done)


def _finish(
    run: CommandRun,
    state: str,
    *,
    result: Any = None,
    error_code: str = "",
    error: str = "",
    duration_ms: float | None = None,
) -> None:
    """Inside a transaction holding the run: finish it, then (after commit) settle whoever
    waits for it, and tell the owner about a failure."""
    run.state = state
    run.result = result
    run.error_code = error_code[:64]
    run.error = error
    run.duration_ms = duration_ms
    run.finished_at = timezone.now()
    if state == State.SUCCEEDED and run.acked_at is None:
        run.acked_at = run.finished_at  # the result implies the ack (it may have been lost)
    run.save()
    seal(run.pk)
    settle_on_commit(run.wait_key, run_outcome(run), conversation_id=run.conversation_id)
    if state in (State.FAILED, State.TIMED_OUT):
        notify_run_failed(run, run.agent.owner)


def reconcile_runs(*, agent_id: Any, holding: list[str]) -> list[CommandRun]:
    """At hello: settle the computer's open runs against what the agent still holds and
    return those to send now, oldest first.

    - held by the agent (running, or its result not yet acknowledged): left alone;
    - past the deadline: timed out;
    - acknowledged but no longer held (the agent stopped while running it): failed, never
      run again;
    - sent but never acknowledged: sent once more, then failed;
    - queued: sent."""
    now = timezone.now()
    held = set(holding)
    to_send: list[CommandRun] = []
    with transaction.atomic():
        runs = (
            CommandRun.objects.select_for_update()
            .select_related("agent__owner")
            .filter(agent_id=agent_id, state__in=CommandRun.OPEN_STATES)
            .order_by("created_at")
        )
        for run in runs:
            if str(run.pk) in held:
                continue
            if run.deadline <= now:
                _finish(run, State.TIMED_OUT, error_code="timeout", error=_timeout_text(run))
            elif run.state == State.ACKED:
                _finish(
                    run,
                    State.FAILED,
                    error_code="interrupted",
                    error=(
                        f"{run.agent.name} disconnected while running this command; it was "
                        "not run again. Ask again if it should run."
                    ),
                )
            elif run.state == State.SENT and run.attempts >= RESEND_LIMIT:
                _finish(
                    run,
                    State.FAILED,
                    error_code="undelivered",
                    error=f"{run.agent.name} never acknowledged this command (sent twice).",
                )
            else:
                if run.state == State.SENT:
                    CommandRun.objects.filter(pk=run.pk).update(state=State.QUEUED)
                    run.state = State.QUEUED
                to_send.append(run)
    return to_send


def _timeout_text(run: CommandRun) -> str:
    if run.state == State.QUEUED:
        return (
            f"{run.agent.name} was not connected before the deadline, so the command never "
            "ran. Start the agent on it with `lmo-agent run`."
        )
    return f"{run.agent.name} did not answer before the deadline."


def expire_runs(*, now: Any) -> int:
    """Time out every open run past its deadline (beat, every few seconds)."""
    count = 0
    ids = list(
        CommandRun.objects.filter(state__in=CommandRun.OPEN_STATES, deadline__lte=now).values_list(
            "pk", flat=True
        )[:500]
    )
    for run_id in ids:
        with transaction.atomic():
            run = (
                CommandRun.objects.select_for_update()
                .select_related("agent__owner")
                .filter(pk=run_id, state__in=CommandRun.OPEN_STATES)
                .first()
            )
            if run is not None:
                _finish(run, State.TIMED_OUT, error_code="timeout", error=_timeout_text(run))
                count += 1
    return count


@transaction.atomic
def cancel_run(*, run: CommandRun, reason: str) -> bool:
    locked = (
        CommandRun.objects.select_for_update()
        .select_related("agent__owner")
        .filter(pk=run.pk, state__in=CommandRun.OPEN_STATES)
        .first()
    )
    if locked is None:
        return False
    _finish(locked, State.CANCELLED, error_code="cancelled", error=reason)
    return True


def cancel_open_runs(*, agent: Agent, reason: str) -> int:
    runs = list(CommandRun.objects.filter(agent=agent, state__in=CommandRun.OPEN_STATES))
    return sum(cancel_run(run=run, reason=reason) for run in runs)
