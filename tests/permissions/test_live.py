"""Scaled mode with real processes: the chat asks, the user allows from another process,
a real Celery worker resumes the waiting graph with Command(resume=...), the real agent
lists the folder through a real Daphne, and the answer carries the listing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chat.actions.messages import post_user_message
from chat.models import AssistantRun, Conversation, Message
from permissions.actions import decide_request
from permissions.models import CommandRun, PermissionRequest
from tests.agent_bridge.conftest import make_agent
from tests.agent_bridge.live import LocalAgent, daphne, wait_connected, wait_until
from tests.conftest import start_worker, stop_worker

pytestmark = [pytest.mark.scaled, pytest.mark.django_db(transaction=True)]


def test_a_decision_resumes_the_waiting_run_in_a_worker(alice: Any, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(b"%PDF")
    agent, token = make_agent(alice, allow=False)
    conversation = Conversation.objects.create(owner=alice)
    worker = start_worker()
    try:
        with daphne() as server:
            local = LocalAgent(
                tmp_path / "agent", server.url, token, f'[filesystem]\nroots = ["{folder}"]\n'
            ).start()
            try:
                wait_connected(agent)
                posted = post_user_message(
                    conversation=conversation, content=f"list files in {folder}", client_id="p1"
                )
                request = wait_until(
                    lambda: PermissionRequest.objects.filter(
                        conversation_id=conversation.pk
                    ).first(),
                    60,
                    "the permission request",
                )
                answer = Message.objects.get(answer_to=posted.message)
                wait_until(
                    lambda: AssistantRun.objects.filter(
                        answer=answer, state="waiting", wait_key__startswith="perm:"
                    ).exists(),
                    30,
                    "the run to wait",
                )
                assert not CommandRun.objects.exists()
                decide_request(user=alice, request=request, choice="once")
                answer = wait_until(
                    lambda: Message.objects.filter(pk=answer.pk, status="sent").first(),
                    60,
                    "the resumed answer",
                )
            finally:
                local.stop()
    finally:
        stop_worker(worker)
    assert answer.metadata["blocks"][0]["kind"] == "files"
    assert "report.pdf" in str(answer.metadata["blocks"][0]["entries"])
    run = CommandRun.objects.get()
    assert run.state == "succeeded" and run.permission_request_id == request.pk
    assert run.is_sealed and run.grant is not None and run.grant.consumed_at is not None
