"""What a machine tool calls to run something on a computer: the command module's one
public function, driven by the graph's ``interrupt()`` (chat.pipeline.waiting)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chat.metering import usage_slice_of
from chat.pipeline.tools import ToolContext
from chat.pipeline.waiting import wait_for
from permissions.commands import CommandCall, run_command
from permissions.models import CommandRun
from permissions.waiting import Settled, Wait

if TYPE_CHECKING:
    from agent_bridge.models import Agent


def dispatch_command(
    context: ToolContext,
    *,
    agent: Agent,
    target: str,
    action: str,
    params: dict[str, Any],
    timeout: float | None = None,
) -> CommandRun:
    """Run it through the permission gate and wait (the graph parks at each wait and
    re-runs this from its start when resumed: every step is keyed on the tool call).
    Returns the finished run; raises CommandRefused."""
    slice_ = usage_slice_of(context.message_id)
    call = CommandCall(
        agent=agent,
        target=target,
        action=action,
        params=params,
        idempotency_key=f"chat:{context.message_id}:{context.tool_call_id}",
        requested_by_id=context.user_id,
        conversation_id=context.conversation_id,
        message_id=context.message_id,
        timeout=timeout,
        organisation_id=slice_.organisation_id,
        key_prefix=slice_.key_prefix,
    )

    def wait(step: Wait) -> Any:
        return wait_for(context, kind=step.kind, key=step.key, prompt=step.prompt, **step.details)

    return run_command(call, wait=wait)


def resume_settled(settled: Settled) -> None:
    """The chat's listener on the command module (``permissions.waiting.on_settled``): a
    decision or a result the chat's answer waits for continues that answer."""
    from chat.actions import resume_run

    if settled.conversation_id is not None:
        resume_run(conversation_id=settled.conversation_id, key=settled.key, value=settled.value)
