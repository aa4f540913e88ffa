"""Notifications the bridge raises, and the assistant's tools built from computers."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from pydantic import ValidationError

from agent_bridge.actions import mark_connected
from agent_bridge.local_agent import protocol
from agent_bridge.models import Agent
from agent_bridge.tasks import check_offline
from chat.machine.rendering import tool_result
from chat.machine.tools import machine_tools
from notifications.models import Category, Notification, Priority
from permissions.actions import queue_command, record_result
from permissions.models import CommandRun
from tests.agent_bridge.conftest import hello, make_agent

pytestmark = pytest.mark.django_db


def test_a_failed_command_notifies_once(alice: Any) -> None:
    agent, _ = make_agent(alice)
    run = queue_command(agent=agent, target="system", action="ping", params={})
    error = protocol.ResultError(code="refused", message="not on the allow-list")
    assert (
        record_result(
            agent_id=agent.pk, frame=protocol.Result(id=str(run.pk), ok=False, error=error)
        )
        == "stored"
    )
    assert (
        record_result(
            agent_id=agent.pk, frame=protocol.Result(id=str(run.pk), ok=False, error=error)
        )
        == "ignored"
    )
    note = Notification.objects.get(owner=alice, category=Category.COMMAND)
    assert "failed" in note.title and "not on the allow-list" in note.body
    assert note.link == f"/apps/computers/{agent.pk}/runs/"


def test_offline_longer_than_the_threshold_then_back(alice: Any) -> None:
    agent, _ = make_agent(alice)
    away = timezone.now()
    Agent.objects.filter(pk=agent.pk).update(connected=False, disconnected_at=away)
    assert (
        check_offline(str(agent.pk), timezone.now().isoformat()) == "back or gone"
    )  # another outage
    assert check_offline(str(agent.pk), away.isoformat()) == "notified"
    offline = Notification.objects.get(owner=alice, category=Category.COMPUTER)
    assert offline.priority == Priority.HIGH and "laptop is offline" in offline.title
    assert "lmo-agent run" in offline.body
    mark_connected(agent_id=agent.pk, channel_name="c1", hello=hello(), protocol_version=1)
    back = Notification.objects.filter(owner=alice, category=Category.COMPUTER).order_by("-pk")[0]
    assert back.title == "laptop is back online" and back.priority == Priority.LOW


def test_a_short_blip_says_nothing(alice: Any) -> None:
    agent, _ = make_agent(alice)
    Agent.objects.filter(pk=agent.pk).update(connected=False, disconnected_at=timezone.now())
    mark_connected(agent_id=agent.pk, channel_name="c1", hello=hello(), protocol_version=1)
    assert not Notification.objects.filter(owner=alice).exists()


def test_tools_come_from_the_users_own_computers(alice: Any, bob: Any) -> None:
    make_agent(alice, "Desk")
    tools = {t.name: t for t in machine_tools(alice)}
    assert set(tools) == {"filesystem_list", "system_ping"}
    listing = tools["filesystem_list"]
    assert listing.kind == "machine" and listing.connector == "filesystem"
    assert listing.openai_schema()["function"]["parameters"]["required"] == ["path"]
    assert listing.args.model_validate({"path": "~"}).values() == {"path": "~"}  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="path"):
        listing.args.model_validate({"path": 5})
    assert machine_tools(bob) == []
    make_agent(alice, "Laptop")
    schema = {t.name: t for t in machine_tools(alice)}["filesystem_list"].openai_schema()
    assert schema["function"]["parameters"]["properties"]["computer"]["enum"] == ["Desk", "Laptop"]


def test_results_become_file_lists_or_clear_errors(alice: Any) -> None:
    agent, _ = make_agent(alice)
    run = CommandRun.objects.create(
        agent=agent,
        target="filesystem",
        action="list",
        params={"path": "~"},
        deadline=timezone.now(),
        state=CommandRun.State.SUCCEEDED,
        result={
            "path": "/home/a",
            "entries": [{"name": "a.pdf", "type": "file", "size": 3}],
            "truncated": False,
        },
    )
    shown = tool_result(run)
    assert not shown.error and "a.pdf" in shown.text
    assert shown.blocks[0]["kind"] == "files" and shown.blocks[0]["entries"][0]["name"] == "a.pdf"
    run.state, run.error = CommandRun.State.TIMED_OUT, "laptop did not answer before the deadline."
    failed = tool_result(run)
    assert failed.error and "deadline" in failed.text
