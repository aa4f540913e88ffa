"""What the chat pipeline calls to run something on a computer."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from agent_bridge.actions.runs import queue_command
from agent_bridge.models import Agent, CommandRun
from chat.pipeline.tools import ToolContext, ToolError
from chat.pipeline.waiting import register_resolver, wait_for

WAIT_KIND = "agent_result"


def dispatch_command(
    context: ToolContext,
    *,
    agent: Agent,
    target: str,
    action: str,
    params: dict[str, Any],
    timeout: float | None = None,
) -> CommandRun:
    """Queue the command (once per tool call: the node re-runs after resuming) and wait
    with ``interrupt()`` until it finishes; returns the finished run."""
    run = queue_command(
        agent=agent,
        target=target,
        action=action,
        params=params,
        requested_by_id=context.user_id,
        timeout=timeout,
        idempotency_key=f"chat:{context.message_id}:{context.tool_call_id}",
        conversation_id=context.conversation_id,
        message_id=context.message_id,
    )
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


register_resolver(WAIT_KIND, _finished_run)
