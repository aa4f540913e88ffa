"""Running a command on a user's computer: the one public function every caller uses
(the chat's machine tools, and next the API and the MCP endpoint).

``command_steps`` is the whole life of one call as a generator: the gate (run now, denied,
or ask), then each thing it waits for as a ``Wait`` (the decision, then the result), and
finally the finished run. Every step is keyed on the caller's ``idempotency_key``, so a
caller that starts over (the chat's graph node re-runs from its start after each resume)
finds what it made and meets the same waits in the same order. Two drivers:

- ``run_command(call, wait=...)``: synchronous; ``wait(step)`` returns once the step
  settled (the chat passes LangGraph's ``interrupt()``, which parks the run);
- ``await_command(call)``: an awaitable that resolves when the run ends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async
from django.utils import timezone

from permissions.actions.requests import gate_command
from permissions.exceptions import CommandRefused
from permissions.models import CommandRun
from permissions.waiting import Wait, until_settled

if TYPE_CHECKING:
    from agent_bridge.models import Agent

START_AGENT = "Start the agent on it with `lmo-agent run`."


@dataclass(frozen=True)
class CommandCall:
    """One command a caller wants run: ``idempotency_key`` is the caller's, unique per call
    (the chat: its message and tool call); ``conversation_id``/``message_id`` say which
    chat answer waits, when it is the chat."""

    agent: Agent
    target: str
    action: str
    params: dict[str, Any]
    idempotency_key: str
    requested_by_id: int | None = None
    conversation_id: int | None = None
    message_id: int | None = None
    timeout: float | None = None
    # Whose use it is: the organisation the caller acts in (None: the computer owner's
    # current one) and the API key's prefix ("" for LMO's own pages).
    organisation_id: int | None = None
    key_prefix: str = ""
    # Who asked, in words (the audit record and the permission request name it):
    # "" for LMO's own chat, else the API key or the MCP client.
    client: str = ""

    @property
    def what(self) -> str:
        return f"{self.target}.{self.action}"


def command_steps(call: CommandCall) -> Generator[Wait, Any, CommandRun]:
    """Yield each wait; return the finished run (succeeded, failed... or denied / not
    answered when permission was not given). Raises CommandRefused."""
    gate = gate_command(
        agent=call.agent,
        target=call.target,
        action=call.action,
        params=call.params,
        idempotency_key=call.idempotency_key,
        requested_by_id=call.requested_by_id,
        conversation_id=call.conversation_id,
        message_id=call.message_id,
        timeout=call.timeout,
        organisation_id=call.organisation_id,
        key_prefix=call.key_prefix,
        client=call.client,
    )
    run = gate.run
    if gate.request is not None:
        request = gate.request
        yield Wait(
            kind="permission",
            key=request.wait_key,
            prompt=f"Waiting for your permission to run {call.what} on {call.agent.name}…",
            details={"request": str(request.pk)},
        )
        run = CommandRun.objects.filter(idempotency_key=request.idempotency_key).first()
        if run is None:
            raise CommandRefused("The permission request was not answered.")
    assert run is not None
    if not run.is_finished:
        yield Wait(
            kind="result",
            key=run.wait_key,
            prompt=_result_prompt(run, call.agent),
            details={"run": str(run.pk)},
        )
        run.refresh_from_db()
        if not run.is_finished:
            raise CommandRefused(f"The command on {call.agent.name} has not finished.")
    return run


def _result_prompt(run: CommandRun, agent: Agent) -> str:
    what = f"{run.target}.{run.action}"
    if agent.connected:
        return f"Waiting for {agent.name} ({what})…"
    until = timezone.localtime(run.deadline, agent.owner.tzinfo)
    return (
        f"{agent.name} is offline: {what} will run when it reconnects (until {until:%H:%M}). "
        + START_AGENT
    )


def run_command(call: CommandCall, *, wait: Callable[[Wait], Any]) -> CommandRun:
    """Drive ``command_steps`` synchronously: ``wait(step)`` returns once ``step`` settled."""
    steps = command_steps(call)
    try:
        step = next(steps)
        while True:
            wait(step)
            step = next(steps)
    except StopIteration as done:
        return done.value


def _advance(steps: Generator[Wait, Any, CommandRun]) -> Wait | CommandRun:
    try:
        return next(steps)
    except StopIteration as done:
        return done.value


@dataclass
class Started:
    """A call past its gate: its steps and the first wait (or the finished run)."""

    steps: Generator[Wait, Any, CommandRun]
    step: Wait | CommandRun


def start_command(call: CommandCall) -> Started:
    """The gate, synchronously (a caller already in a database step saves a trip).
    Raises CommandRefused."""
    steps = command_steps(call)
    return Started(steps=steps, step=_advance(steps))


async def await_command(
    call: CommandCall,
    *,
    on_wait: Callable[[Wait], Awaitable[None]] | None = None,
    started: Started | None = None,
) -> CommandRun:
    """The awaitable driver: resolves with the finished run (each step's database work
    runs in a thread, each wait is ``until_settled``, holding no thread; bound it with
    ``asyncio.timeout``). ``on_wait(step)`` hears each wait as it starts (to show it);
    ``started`` is ``start_command(call)`` when the caller ran it already.
    Called again with the same ``idempotency_key`` it picks up where it was."""
    if started is None:
        started = await database_sync_to_async(start_command)(call)
    steps, step = started.steps, started.step
    advance = database_sync_to_async(_advance)
    while isinstance(step, Wait):
        if on_wait is not None:
            await on_wait(step)
        await until_settled(step.key)
        step = await advance(steps)
    return step
