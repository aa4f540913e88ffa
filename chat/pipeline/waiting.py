"""Waiting for something outside the run (a person's decision, a machine's result).

A tool calls ``wait_for(...)``: the graph stops at an ``interrupt()`` and its state is
checkpointed; the chat shows what it waits for. Whoever has the answer calls
``chat.actions.resume_run(...)``, which continues the run from a Celery task with
``Command(resume=value)``. The node that waited re-runs from its start, so anything it did
before waiting must be idempotent (key it on ``ToolContext.idempotency_key``)."""

from __future__ import annotations

from collections.abc import Callable
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


# kind -> fn(key) returning the resume value when what is awaited already happened.
_resolvers: dict[str, Callable[[str], Any]] = {}


def register_resolver(kind: str, resolver: Callable[[str], Any]) -> None:
    """An app that resumes waits of ``kind`` tells how to look up an outcome that came
    before the run recorded its wait (a fast machine); see ``already_resolved``."""
    _resolvers[kind] = resolver


def already_resolved(waiting: dict[str, Any]) -> Any:
    """The value to resume ``waiting`` with now, or None to keep waiting."""
    resolver = _resolvers.get(str(waiting.get("kind", "")))
    return resolver(str(waiting.get("key", ""))) if resolver else None


# kind -> fn(waiting) returning HTML the chat shows with the wait (e.g. a request's choices).
_cards: dict[str, Callable[[dict[str, Any]], str]] = {}


def register_card(kind: str, render: Callable[[dict[str, Any]], str]) -> None:
    """An app shows something actionable in the chat while a run waits for ``kind``."""
    _cards[kind] = render


def render_waiting_card(waiting: dict[str, Any]) -> str:
    render = _cards.get(str(waiting.get("kind", "")))
    return render(waiting) if render else ""
