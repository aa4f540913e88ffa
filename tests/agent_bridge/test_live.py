"""The real agent process against live Daphne servers in the scaled mode (PostgreSQL +
Redis): commands and results, offline queues, deadlines, an agent killed mid-command, a
server restarted while the agent works, a real MCP server from PyPI, and two Daphne
processes with the command and its result crossing between them."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect
from websockets.typing import Origin

from agent_bridge.models import Agent
from chat.models import Conversation, Message
from lmo.testing.fake_llm import FakeLLM, Reply
from permissions.actions import expire_runs, queue_command
from permissions.models import CommandRun
from tests.agent_bridge.conftest import make_agent
from tests.agent_bridge.live import (
    Daphne,
    LocalAgent,
    daphne,
    mcp_time_command,
    wait_connected,
    wait_finished,
    wait_until,
)
from tests.conftest import start_worker, stop_worker, verified_session_key

pytestmark = [pytest.mark.scaled, pytest.mark.django_db(transaction=True)]
State = CommandRun.State

SLOW = """\
import pathlib, sys, time
pathlib.Path(sys.argv[1]).open("a").write("ran\\n")
time.sleep(float(sys.argv[2]))
print("slept")
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "files"
    root.mkdir()
    (root / "report.pdf").write_bytes(b"%PDF")
    (tmp_path / "slow.py").write_text(SLOW)
    return root


def _policy(tmp_path: Path, folder: Path, extra: str = "") -> str:
    slow = f"{sys.executable} {tmp_path / 'slow.py'}"
    return (
        f'[filesystem]\nroots = ["{folder}"]\n'
        f'[shell]\nallow = ["{slow}"]\ntimeout_seconds = 60\n{extra}'
    )


def test_command_result_offline_queue_and_deadline(
    alice: Any, tmp_path: Path, folder: Path
) -> None:
    agent, token = make_agent(alice)
    with daphne() as server:
        # Queued while the computer is offline: delivered when it connects.
        waiting = queue_command(
            agent=agent, target="filesystem", action="list", params={"path": str(folder)}
        )
        late = queue_command(
            agent=agent,
            target="filesystem",
            action="list",
            params={"path": str(folder)},
            timeout=5,
        )
        CommandRun.objects.filter(pk=late.pk).update(deadline=late.created_at)
        assert expire_runs(now=late.created_at) == 1
        local = LocalAgent(tmp_path / "agent", server.url, token, _policy(tmp_path, folder)).start()
        try:
            wait_connected(agent)
            done = wait_finished(waiting)
            assert done.state == State.SUCCEEDED, done.error
            assert [e["name"] for e in (done.result or {})["entries"]] == ["report.pdf"]
            # While connected: command -> result (the hello declared what it offers).
            agent.refresh_from_db()
            run = queue_command(
                agent=agent, target="filesystem", action="read", params={"path": "/etc/passwd"}
            )
            refused = wait_finished(run)
            assert refused.state == State.FAILED and refused.error_code == "refused"
            agent.refresh_from_db()
            names = {c["name"] for c in agent.capabilities}
            assert {"filesystem", "browser", "shell", "apps", "system"} <= names
        finally:
            local.stop()
        late.refresh_from_db()
        assert late.state == State.TIMED_OUT and late.sent_at is None  # never sent


def test_agent_killed_mid_command_never_runs_it_twice(
    alice: Any, tmp_path: Path, folder: Path
) -> None:
    agent, token = make_agent(alice)
    marker = tmp_path / "marker"
    with daphne() as server:
        local = LocalAgent(tmp_path / "agent", server.url, token, _policy(tmp_path, folder)).start()
        try:
            wait_connected(agent)
            run = queue_command(
                agent=agent,
                target="shell",
                action="run",
                params={"command": f"{sys.executable} {tmp_path / 'slow.py'} {marker} 5"},
            )
            wait_until(
                lambda: marker.exists() and CommandRun.objects.get(pk=run.pk).state == State.ACKED
            )
            local.kill()
            local.start()
            failed = wait_finished(run)
        finally:
            local.stop()
    assert failed.state == State.FAILED and failed.error_code == "interrupted", failed.error
    assert "not run again" in failed.error
    assert marker.read_text() == "ran\n"


def test_server_restarted_while_the_agent_works(alice: Any, tmp_path: Path, folder: Path) -> None:
    agent, token = make_agent(alice)
    marker = tmp_path / "marker"
    server = Daphne().start()
    local = LocalAgent(tmp_path / "agent", server.url, token, _policy(tmp_path, folder)).start()
    try:
        wait_connected(agent)
        run = queue_command(
            agent=agent,
            target="shell",
            action="run",
            params={"command": f"{sys.executable} {tmp_path / 'slow.py'} {marker} 2"},
        )
        wait_until(lambda: CommandRun.objects.get(pk=run.pk).state == State.ACKED)
        server.stop()
        time.sleep(2.5)  # the command finishes while the server is down: its result waits
        server = Daphne(server.port).start()
        done = wait_finished(run, timeout=60)
    finally:
        local.stop()
        server.stop()
    assert done.state == State.SUCCEEDED, done.error
    assert (done.result or {})["stdout"] == "slept\n"
    assert marker.read_text() == "ran\n"


def test_a_real_mcp_server_answers_in_the_chat(alice: Any, tmp_path: Path, folder: Path) -> None:
    agent, token = make_agent(alice)
    llm = FakeLLM().start()
    llm.script(
        Reply(tool="mcp_time_get_current_time", args={"timezone": "Europe/Paris"}),
        Reply(text="Here is the time in Paris."),
    )
    worker = start_worker(
        {"LMO_LLM_BASE_URL": llm.url, "LMO_LLM_API_KEY": "k", "LMO_LLM_MAX_RETRIES": "0"}
    )
    mcp = f'[mcp.time]\ncommand = "{mcp_time_command()}"\nargs = []\n'
    try:
        with daphne() as server:
            local = LocalAgent(
                tmp_path / "agent", server.url, token, _policy(tmp_path, folder, mcp)
            ).start()
            try:
                wait_until(
                    lambda: Agent.objects.get(pk=agent.pk).connector("mcp:time"),
                    60,
                    "the MCP tools",
                )
                from chat.actions.messages import post_user_message

                conversation = Conversation.objects.create(owner=alice)
                posted = post_user_message(
                    conversation=conversation, content="time in Paris?", client_id="m1"
                )
                answer = wait_until(
                    lambda: Message.objects.filter(answer_to=posted.message, status="sent").first(),
                    60,
                    "the answer",
                )
            finally:
                local.stop()
    finally:
        stop_worker(worker)
        llm.stop()
    assert answer.content == "Here is the time in Paris."
    run = CommandRun.objects.get(agent=agent)
    assert (run.target, run.action, run.state) == ("mcp:time", "get_current_time", State.SUCCEEDED)
    assert (run.result or {})["structured"]["timezone"] == "Europe/Paris"
    tool_reply = [m for m in llm.requests[-1]["messages"] if m.get("role") == "tool"]
    assert "Europe/Paris" in tool_reply[0]["content"]


def test_two_daphne_processes_the_command_and_result_cross(
    alice: Any, tmp_path: Path, folder: Path
) -> None:
    """The agent is connected to server A; the user's page to server B. "list files in
    <folder>" typed on B runs in a Celery worker, reaches the agent through A, and the
    answer with the files comes back to the page on B."""
    agent, token = make_agent(alice)
    conversation = Conversation.objects.create(owner=alice)
    worker = start_worker()
    try:
        with daphne() as a, daphne() as b:
            local = LocalAgent(tmp_path / "agent", a.url, token, _policy(tmp_path, folder)).start()
            try:
                wait_connected(agent)
                ws_url = b.url.replace("http", "ws") + "/ws/live/"
                headers = {"Cookie": f"sessionid={verified_session_key(alice)}"}
                with connect(ws_url, additional_headers=headers, origin=Origin(b.url)) as page:
                    page.send(json.dumps({"type": "chat.join", "conversation": conversation.pk}))
                    page.send(
                        json.dumps(
                            {
                                "type": "chat.send",
                                "conversation": conversation.pk,
                                "client_id": "x1",
                                "content": f"list files in {folder}",
                            }
                        )
                    )
                    seen = ""
                    deadline = time.monotonic() + 60
                    while "report.pdf" not in seen and time.monotonic() < deadline:
                        seen += str(page.recv(timeout=deadline - time.monotonic()))
            finally:
                local.stop()
    finally:
        stop_worker(worker)
    assert "report.pdf" in seen
    run = CommandRun.objects.get(agent=agent)
    assert run.state == State.SUCCEEDED and run.conversation_id == conversation.pk
    answer = Message.objects.get(conversation=conversation, sender="assistant")
    assert answer.status == "sent" and answer.metadata["blocks"][0]["kind"] == "files"


def test_large_mcp_results_and_a_broken_server_retried(
    alice: Any, tmp_path: Path, folder: Path
) -> None:
    """The real agent and a real MCP server: a 1.6 MB screenshot (over one frame) arrives
    in parts and is stored as a file, a 6 MB one is refused once with a clear error (limit
    5 MB), the connection never drops; a server entry whose script is missing is reported
    with its error, and Retry, once the script exists, brings its tools."""
    from agent_bridge.actions import retry_connector
    from permissions.models import ANY_ACTION, Grant, Origin, RunFile
    from tests.agent_bridge.mcp_media_server import image_bytes
    from tests.agent_bridge.test_mcp import MEDIA_SERVER

    agent, token = make_agent(alice)
    for target in ("mcp:media", "mcp:later"):
        Grant.objects.create(
            owner=alice,
            agent=agent,
            target=target,
            action=ANY_ACTION,
            kind=Grant.Kind.ALWAYS,
            created_by=alice,
            origin=Origin.SETTINGS,
        )
    later = tmp_path / "later_server.py"
    mcp = (
        f'[mcp.media]\ncommand = "{sys.executable}"\nargs = ["{MEDIA_SERVER}"]\n'
        f'[mcp.later]\ncommand = "{sys.executable}"\nargs = ["{later}"]\n'
    )
    server = Daphne(env={"LMO_AGENT_MAX_RESULT_MB": "5"}).start()
    local = LocalAgent(tmp_path / "agent", server.url, token, _policy(tmp_path, folder, mcp))
    try:
        local.start()
        wait_until(lambda: Agent.objects.get(pk=agent.pk).connector("mcp:media"), 60, "mcp:media")
        wait_until(lambda: Agent.objects.get(pk=agent.pk).unavailable, 30, "mcp:later reported")
        agent.refresh_from_db()
        connected_at = agent.connected_at
        assert [u["name"] for u in agent.unavailable] == ["mcp:later"]

        small = wait_finished(
            queue_command(agent=agent, target="mcp:media", action="snapshot", params={}), 60
        )
        big = wait_finished(
            queue_command(
                agent=agent, target="mcp:media", action="snapshot", params={"size": 6_000_000}
            ),
            60,
        )
        assert small.state == State.SUCCEEDED, small.error
        item = (small.result or {})["content"][0]
        stored = RunFile.objects.get(pk=item["file"])
        with stored.file.open("rb") as handle:
            assert handle.read() == image_bytes(1_600_000)
        assert (big.state, big.error_code) == (State.FAILED, "too_large")
        assert big.error.startswith("The result is too large (7.6 MB, limit 5.0 MB)")

        later.write_text(Path(MEDIA_SERVER).read_text())
        retry_connector(agent=Agent.objects.get(pk=agent.pk), connector="mcp:later")
        wait_until(lambda: Agent.objects.get(pk=agent.pk).connector("mcp:later"), 30, "Retry")
        assert Agent.objects.get(pk=agent.pk).unavailable == []
    finally:
        local.stop()
        server.stop()
    log = (tmp_path / "agent" / "agent.log").read_text()
    assert log.count("over the limit of") == 1  # said once, never resent
    assert "connection closed (1009)" not in log
    assert connected_at is not None
