"""The official ``mcp`` SDK client (Streamable HTTP), unchanged, against a live LMO
(Daphne in its own process; in the scaled mode on PostgreSQL and Redis with a real Celery
worker) with a real agent process: tools, activities, machine calls that wait for the
user's decision made in another process, pre-granted calls, an agent-hosted stdio MCP
server, ten calls waiting at once, and outsiders."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from django.conf import settings
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.agent_bridge.live import LocalAgent, mcp_time_command, wait_until
from tests.livelmo import (
    COMPUTER,
    LiveLMO,
    decide_in_the_page,
    migrated_sqlite,  # noqa: F401  (a fixture)
    running_lmo,
)

# In the scaled mode the live server, the worker and the test share this run's database.
pytestmark = [pytest.mark.django_db(transaction=True)] if settings.LMO_SCALED else []

ACTIVITY_TOOLS = {
    "activities_job_applications",
    "activities_record_job",
    "activities_search",
    "activities_spending",
}

BOB = """
from datetime import timedelta
from django.utils import timezone
from lmo.accounts.models import User
from lmo.api.keys import create_api_key
from lmo.organisations.access import current_membership
u = User.objects.filter(email="bob@example.com").first() or User.objects.create_user(
    username="bob@example.com", email="bob@example.com", password="x")
_, raw = create_api_key(membership=current_membership(u), name="bob's", scopes=["mcp"],
    expires_at=timezone.now() + timedelta(days=1))
print("KEY=" + raw)
"""

GRANT = """
from agent_bridge.models import Agent
from permissions.models import Grant, Origin
agent = Agent.objects.get(name="Studio", revoked_at__isnull=True)
Grant.objects.create(owner=agent.owner, agent=agent, target=TARGET, action=ACTION,
    kind=Grant.Kind.ALWAYS, created_by=agent.owner, origin=Origin.SETTINGS)
"""

RUNS = """
from permissions.models import CommandRun, PermissionRequest
from lmo.api.models import RequestLog
for run in CommandRun.objects.order_by("created_at"):
    print("RUN", run.target, run.action, run.state, run.permission_request_id is not None,
          repr(run.client))
for request in PermissionRequest.objects.order_by("created_at"):
    print("ASKED", repr(request.client))
print("LOGGED", RequestLog.objects.filter(path="/mcp", key_prefix=PREFIX, status=200).count())
"""


@pytest.fixture
def lmo(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveLMO]:
    with running_lmo(tmp_path, request) as live:
        yield live


def _client(lmo: LiveLMO, key: str, mode: str = "legacy") -> Client:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60)
    return Client(streamable_http_client(f"{lmo.url}/mcp", http_client=http), mode=mode)


def _text(result: Any) -> str:
    return "".join(getattr(part, "text", "") for part in result.content)


def _bob_key(lmo: LiveLMO) -> str:
    return next(line[4:] for line in lmo.shell(BOB).splitlines() if line.startswith("KEY="))


def _computer(lmo: LiveLMO, tmp_path: Path, policy: str) -> LocalAgent:
    token = lmo.shell(COMPUTER).split("TOKEN=")[1].strip()
    return LocalAgent(tmp_path / "agent", lmo.url, token, policy).start()


def test_tools_activities_and_who_may_call(lmo: LiveLMO) -> None:
    key = lmo.key(["mcp"])

    async def as_ann(mode: str) -> None:
        async with _client(lmo, key, mode) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert set(tools) == ACTIVITY_TOOLS
            assert getattr(tools["activities_search"].annotations, "read_only_hint", None)
            assert not getattr(tools["activities_record_job"].annotations, "read_only_hint", 1)
            found = await client.call_tool("activities_search", {"query": "flat white"})
            assert not found.is_error and "Flat white" in _text(found)
            bad = await client.call_tool("activities_search", {"days": "many"})
            assert bad.is_error and "days" in _text(bad)
            unknown = await client.call_tool("launch_missiles", {})
            assert unknown.is_error and "no tool" in _text(unknown)

    asyncio.run(as_ann("legacy"))  # the 2025-11-25 handshake
    asyncio.run(as_ann("auto"))  # the 2026-07-28 per-request envelope

    async def as_bob() -> None:
        async with _client(lmo, _bob_key(lmo)) as client:
            found = await client.call_tool("activities_search", {"query": "flat white"})
            assert not found.is_error and "Flat white" not in _text(found)

    asyncio.run(as_bob())

    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}
    anonymous = httpx.post(f"{lmo.url}/mcp", json=body, headers=headers)
    assert anonymous.status_code == 401
    metadata_url = f"{lmo.url}/.well-known/oauth-protected-resource/mcp"
    assert f'resource_metadata="{metadata_url}"' in anonymous.headers["www-authenticate"]
    metadata = httpx.get(metadata_url).json()
    assert metadata["resource"] == f"{lmo.url}/mcp" and metadata["scopes_supported"] == ["mcp"]
    chat_only = {**headers, "Authorization": f"Bearer {lmo.key(['chat'])}"}
    assert httpx.post(f"{lmo.url}/mcp", json=body, headers=chat_only).status_code == 403
    ann = {**headers, "Authorization": f"Bearer {key}"}
    foreign = httpx.post(
        f"{lmo.url}/mcp", json=body, headers={**ann, "Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403
    same_site = httpx.post(f"{lmo.url}/mcp", json=body, headers={**ann, "Origin": lmo.url})
    assert same_site.status_code == 200
    old = httpx.post(
        f"{lmo.url}/mcp", json=body, headers={**ann, "MCP-Protocol-Version": "1999-01-01"}
    )
    assert old.status_code == 400
    assert "RateLimit-Limit" in same_site.headers


def test_machine_calls_wait_for_the_users_decision(lmo: LiveLMO, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(b"%PDF")
    policy = (
        f'[filesystem]\nroots = ["{folder}"]\n'
        f'[mcp.time]\ncommand = "{mcp_time_command()}"\nargs = []\n'
    )
    key = lmo.key(["mcp"])
    bob = _bob_key(lmo)
    agent = _computer(lmo, tmp_path, policy)
    try:

        async def tools(key: str) -> dict[str, Any]:
            async with _client(lmo, key) as client:
                return {t.name: t for t in (await client.list_tools()).tools}

        wait_until(
            lambda: "mcp_time_get_current_time" in asyncio.run(tools(key)),
            60,
            "the computer and its MCP server to offer their tools",
        )
        offered = asyncio.run(tools(key))
        hints = offered["filesystem_list"].annotations
        assert hints is not None and hints.read_only_hint and not hints.destructive_hint
        assert "path" in offered["filesystem_list"].input_schema["properties"]
        assert set(asyncio.run(tools(bob))) == ACTIVITY_TOOLS  # none of ann's computers

        seen: list[str] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen.append(message or "")

        async def list_files() -> Any:
            async with _client(lmo, key) as client:
                return await client.call_tool(
                    "filesystem_list", {"path": str(folder)}, progress_callback=on_progress
                )

        outcome: list[Any] = []
        waiting = threading.Thread(target=lambda: outcome.append(asyncio.run(list_files())))
        waiting.start()
        # The call is open and waiting while another process decides, from the page.
        assert decide_in_the_page(lmo, "once").startswith("filesystem.list")
        waiting.join(60)
        assert not waiting.is_alive()
        assert not outcome[0].is_error and "report.pdf" in _text(outcome[0])
        assert any("permission" in p for p in seen), seen

        outcome.clear()
        waiting = threading.Thread(target=lambda: outcome.append(asyncio.run(list_files())))
        waiting.start()
        decide_in_the_page(lmo, "deny")
        waiting.join(60)
        assert outcome[0].is_error and "denied" in _text(outcome[0]).lower()
        assert "report.pdf" not in _text(outcome[0])

        # Granted beforehand: it runs at once, with no request opened; here through the
        # MCP server the agent hosts (stdio, on the laptop), from the remote client.
        lmo.shell(GRANT.replace("TARGET", '"mcp:time"').replace("ACTION", '"get_current_time"'))

        async def the_time() -> Any:
            async with _client(lmo, key, "auto") as client:
                return await client.call_tool("mcp_time_get_current_time", {"timezone": "UTC"})

        now = asyncio.run(the_time())
        assert not now.is_error and "UTC" in _text(now), _text(now)

        prefix = key.split("_")[1]
        report = lmo.shell(RUNS.replace("PREFIX", repr(prefix)))
        runs = [line.split(" ", 5) for line in report.splitlines() if line.startswith("RUN")]
        assert [(r[1], r[2], r[3]) for r in runs] == [
            ("filesystem", "list", "succeeded"),
            ("filesystem", "list", "denied"),
            ("mcp:time", "get_current_time", "succeeded"),
        ]
        assert runs[2][4] == "False"  # no permission request: the grant allowed it
        # The audit record and the page's request name the key the client used.
        client = repr(f"An MCP client with the API key “sdk” ({prefix})")
        assert [r[5] for r in runs] == [client] * 3
        asked = [line[6:] for line in report.splitlines() if line.startswith("ASKED")]
        assert asked == [client] * 2
        logged = int(report.split("LOGGED ")[1].split()[0])
        assert logged >= 6
    finally:
        agent.stop()


def test_ten_waiting_calls_do_not_slow_other_requests(lmo: LiveLMO, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    key = lmo.key(["mcp"])
    agent = _computer(lmo, tmp_path, f'[filesystem]\nroots = ["{folder}"]\n')
    try:

        async def scenario() -> tuple[list[float], list[float], list[Any]]:
            async with _client(lmo, key) as probe:
                await wait_for_tool(probe)

                async def timed() -> list[float]:
                    samples = []
                    for _ in range(20):
                        started = time.perf_counter()
                        result = await probe.call_tool("activities_search", {"query": "x"})
                        samples.append(time.perf_counter() - started)
                        assert not result.is_error
                    return samples

                before = await timed()

                async def one_waiting_call() -> Any:
                    async with _client(lmo, key) as waiter:
                        return await waiter.call_tool("filesystem_list", {"path": str(folder)})

                calls = [asyncio.ensure_future(one_waiting_call()) for _ in range(10)]
                await asyncio.to_thread(
                    wait_until, lambda: _pending(lmo) == 10, 60, "ten permission requests"
                )
                during = await timed()
                assert not any(c.done() for c in calls)  # all ten still waiting
                await asyncio.to_thread(lmo.shell, DENY_ALL)
                results = await asyncio.gather(*calls)
                return before, during, results

        before, during, results = asyncio.run(scenario())
        assert all(r.is_error and "denied" in _text(r).lower() for r in results)
        p50_before, p50_during = statistics.median(before), statistics.median(during)
        print(
            f"\nother requests p50: {p50_before * 1000:.1f} ms before, "
            f"{p50_during * 1000:.1f} ms while ten calls wait "
            f"(ratio {p50_during / p50_before:.2f})"
        )
        assert p50_during < 1.0 and p50_during / p50_before < 5
    finally:
        agent.stop()


async def wait_for_tool(client: Client, name: str = "filesystem_list") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(t.name == name for t in (await client.list_tools()).tools):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{name} was never offered")


PENDING_COUNT = """
from permissions.models import PermissionRequest
print("PENDING", PermissionRequest.objects.filter(status="pending").count())
"""

DENY_ALL = """
from lmo.accounts.models import User
from permissions.actions import decide_request
from permissions.models import PermissionRequest
ann = User.objects.get(email="ann@example.com")
for request in PermissionRequest.objects.filter(status="pending"):
    decide_request(request=request, choice="deny", user=ann)
"""


def _pending(lmo: LiveLMO) -> int:
    return int(lmo.shell(PENDING_COUNT).split("PENDING ")[1].split()[0])
