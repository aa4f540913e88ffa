"""Waiting for something outside the run (a person's decision, a machine's result).

A tool calls ``wait_for(...)``: the graph stops at an ``interrupt()`` and its state is
checkpointed; the chat shows what it waits for. When it happens, ``chat.actions.resume_run``
continues the run from a Celery task with ``Command(resume=value)`` (for a machine
command, the command module's port calls it: chat.machine.dispatch.resume_settled). The node that waited re-runs from its start, so anything it did
before waiting must be idempotent (key it on ``ToolContext.idempotency_key``)."""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt

from chat.pipeline.tools import ToolContext


def wait_for(context: ToolContext, *, kind: str, key: str, prompt: str, **details: Any) -> Any:
    """Pause until resumed with the value for ``key``; returns that value.

    ``kind`` names what is awaited ("permission", "agent_result"...), ``key`` identifies
    this wait (resume_run checks it), ``prompt`` is shown in the chat meanwhile."""
    return interrupt(
        {
            "kind": kind,
            "key": key,
            "prompt": prompt,
            "tool_call_id": context.tool_call_id,
            **details,
        }
    )
