"""What the chat pipeline calls to run something on a computer."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from agent_bridge.models import Agent, CommandRun
from chat.pipeline.tools import ToolContext, ToolError
from chat.pipeline.waiting import register_resolver, wait_for

WAIT_KIND = "agent_result"
PERMISSION_KIND = "permission"


def dispatch_command(
    context: ToolContext,
    *,
    agent: Agent,
    target: str,
    action: str,
    params: dict[str, Any],
    timeout: float | None = None,
) -> CommandRun:
    """Pass the permission gate, then wait for the command; returns the finished run
    (succeeded, failed... or denied / not answered when permission was not given).

    Each step is keyed on the tool call, because the node re-runs from its start after
    every resume: the gate finds the run or request it made, and the waits come in the
    same order every time (the permission first, if one was asked for, then the result)."""
    from permissions.actions import gate_command

    gate = gate_command(
        agent=agent,
        target=target,
        action=action,
        params=params,
        idempotency_key=f"chat:{context.message_id}:{context.tool_call_id}",
        requested_by_id=context.user_id,
        conversation_id=context.conversation_id,
        message_id=context.message_id,
        timeout=timeout,
    )
    run = gate.run
    if gate.request is not None:
        request = gate.request
        wait_for(
            context,
            kind=PERMISSION_KIND,
            key=request.wait_key,
            prompt=f"Waiting for your permission to run {target}.{action} on {agent.name}…",
            request=str(request.pk),
        )
        run = CommandRun.objects.filter(idempotency_key=request.idempotency_key).first()
        if run is None:
            raise ToolError("The permission request was not answered.")
    assert run is not None
    if not run.is_finished:
        wait_for(
            context,
            kind=WAIT_KIND,
            key=run.wait_key,
            prompt=_prompt(run, agent),
            run=str(run.pk),
        )
        run.refresh_from_db()
        if not run.is_finished:
            raise ToolError(f"The command on {agent.name} has not finished.")
    return run


def _prompt(run: CommandRun, agent: Agent) -> str:
    what = f"{run.target}.{run.action}"
    if agent.connected:
        return f"Waiting for {agent.name} ({what})…"
    until = timezone.localtime(run.deadline, agent.owner.tzinfo)
    return (
        f"{agent.name} is offline: {what} will run when it reconnects (until {until:%H:%M}). "
        "Start the agent on it with `python -m agent_bridge.local_agent run`."
    )


def _finished_run(key: str) -> Any:
    """The resume value if the run behind ``key`` already finished (its result arrived
    before the chat run recorded that it waits)."""
    run_id = key.removeprefix("run:")
    run = CommandRun.objects.filter(pk=run_id).exclude(state__in=CommandRun.OPEN_STATES).first()
    return None if run is None else {"run": str(run.pk), "state": run.state}


def register() -> None:
    register_resolver(WAIT_KIND, _finished_run)
