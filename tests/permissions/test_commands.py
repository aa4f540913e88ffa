"""The command module's one public function, driven both ways: a plain synchronous caller
and a plain awaiting caller (the API's and the MCP endpoint's way). The chat's graph drives
it through LangGraph's ``interrupt()``: see test_requests.py, whose runs park and resume."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from lmo.organisations.access import current_organisation_id
from lmo.usage.models import UsageDay
from permissions.actions import decide_request
from permissions.commands import CommandCall, await_command, command_steps, run_command
from permissions.models import CommandRun, Grant, Origin, PermissionRequest
from permissions.waiting import Wait, settled_value
from tests.permissions.conftest import agent_answers

ENTRIES = [{"name": "report.pdf", "type": "file"}]


def _call(laptop: Any, key: str, path: str = "~/Downloads") -> CommandCall:
    return CommandCall(
        agent=laptop,
        target="filesystem",
        action="list",
        params={"path": path},
        idempotency_key=key,
        requested_by_id=laptop.owner_id,
    )


def _allow_always(laptop: Any) -> Grant:
    return Grant.objects.create(
        owner=laptop.owner,
        agent=laptop,
        target="filesystem",
        action="list",
        scope="~/Downloads",
        kind=Grant.Kind.ALWAYS,
        created_by=laptop.owner,
        origin=Origin.SETTINGS,
    )


def test_a_plain_caller_waits_for_the_decision_then_the_result(alice: Any, laptop: Any) -> None:
    seen: list[Wait] = []

    def wait(step: Wait) -> None:
        """Whoever waits: here the user answers at once, then the computer does."""
        seen.append(step)
        assert settled_value(step.key) is None
        if step.kind == "permission":
            request = PermissionRequest.objects.get(pk=step.details["request"])
            decide_request(user=alice, request=request, choice="once")
        else:
            agent_answers(CommandRun.objects.get(pk=step.details["run"]), ENTRIES)
        assert settled_value(step.key) is not None

    run = run_command(_call(laptop, "api:1"), wait=wait)
    assert [s.kind for s in seen] == ["permission", "result"]
    assert "permission" in seen[0].prompt and run.state == CommandRun.State.SUCCEEDED
    assert run.result == {"path": "~/Downloads", "entries": ENTRIES}
    # Started over with the same key (the chat's node re-runs from its start), it finds what
    # it made and meets the same waits, already settled: no new request, no new run.
    again = command_steps(_call(laptop, "api:1"))
    replay = next(again)
    assert replay.key == seen[0].key and settled_value(replay.key) == {
        "request": seen[0].details["request"],
        "decision": "approved",
    }
    with pytest.raises(StopIteration) as done:
        next(again)
    assert done.value.value == run
    assert PermissionRequest.objects.count() == 1 and CommandRun.objects.count() == 1


def test_a_denied_command_ends_without_waiting_for_a_result(alice: Any, laptop: Any) -> None:
    def wait(step: Wait) -> None:
        assert step.kind == "permission"
        request = PermissionRequest.objects.get(pk=step.details["request"])
        decide_request(user=alice, request=request, choice="deny")

    run = run_command(_call(laptop, "api:2"), wait=wait)
    assert run.state == CommandRun.State.DENIED and run.is_sealed


def _later(work: Any, delay: float = 0.3) -> threading.Thread:
    """Another process's part (the user in a browser, the computer's connection)."""

    def go() -> None:
        import time

        from django.db import connection

        time.sleep(delay)
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=go)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
async def test_an_awaiting_caller_resolves_when_the_run_ends(alice: Any, laptop: Any) -> None:
    await sync_to_async(_allow_always)(laptop)

    def computer_answers() -> None:
        run = CommandRun.objects.get(idempotency_key="api:3")
        agent_answers(run, ENTRIES)

    thread = _later(computer_answers)
    async with asyncio.timeout(20):
        run = await await_command(_call(laptop, "api:3"))
    thread.join()
    assert run.state == CommandRun.State.SUCCEEDED and run.result == {
        "path": "~/Downloads",
        "entries": ENTRIES,
    }


@pytest.mark.django_db(transaction=True)
async def test_an_awaiting_caller_waits_for_the_user_then_the_computer(
    alice: Any, laptop: Any
) -> None:
    def user_then_computer() -> None:
        request = PermissionRequest.objects.get(idempotency_key="api:4")
        decide_request(user=alice, request=request, choice="once")
        import time

        time.sleep(0.3)
        agent_answers(CommandRun.objects.get(idempotency_key="api:4"), ENTRIES)

    thread = _later(user_then_computer, delay=0.5)
    async with asyncio.timeout(20):
        run = await await_command(_call(laptop, "api:4"))
    thread.join()
    assert run.state == CommandRun.State.SUCCEEDED and run.permission_request_id is not None


@pytest.mark.django_db(transaction=True)
async def test_an_awaiting_caller_can_give_up(alice: Any, laptop: Any) -> None:
    await sync_to_async(_allow_always)(laptop)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.5):
            await await_command(_call(laptop, "api:5"))
    # The run stays queued for the computer; the same call picks it up again.
    run = await sync_to_async(CommandRun.objects.get)(idempotency_key="api:5")
    assert run.state == CommandRun.State.QUEUED


def test_a_command_sent_to_the_computer_counts_once_for_its_caller(alice: Any, laptop: Any) -> None:
    organisation_id = current_organisation_id(alice)

    def wait(step: Wait) -> None:
        if step.kind == "permission":
            request = PermissionRequest.objects.get(pk=step.details["request"])
            choice = "deny" if request.params["path"] == "~/Secret" else "once"
            decide_request(user=alice, request=request, choice=choice)
        else:
            agent_answers(CommandRun.objects.get(pk=step.details["run"]), ENTRIES)

    call = replace(_call(laptop, "api:m1"), organisation_id=organisation_id, key_prefix="abcd1234")
    run_command(call, wait=wait)
    run_command(call, wait=wait)  # started over with the same key: nothing runs twice
    denied = replace(_call(laptop, "api:m2", path="~/Secret"), key_prefix="abcd1234")
    assert run_command(denied, wait=wait).state == CommandRun.State.DENIED
    [row] = UsageDay.objects.all()
    assert (row.user_id, row.organisation_id, row.key_prefix) == (
        alice.pk,
        organisation_id,
        "abcd1234",
    )
    assert (row.machine_commands, row.llm_calls, row.tokens) == (1, 0, 0)
