"""lmo_bench scenarios of the agent bridge.

- ``agent_command``: a no-op command (system.ping) from ``queue_command`` (what
  ``dispatch_command`` does) to a connected real agent process until its result is stored;
  against a raw ``websockets`` echo of a same-size frame on loopback. Also sustained
  commands per second for one agent.
- ``idle_connections``: 1,000 idle agent connections (hello said) on one Daphne process:
  memory per connection against a bare ``websockets`` server holding the same."""

from __future__ import annotations

import asyncio
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any

import psutil
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from websockets.asyncio.client import ClientConnection, connect

from agent_bridge.actions import create_token
from agent_bridge.actions.tokens import TOKEN_PREFIX, secret_digest
from agent_bridge.frames import command_frame
from agent_bridge.local_agent import protocol
from agent_bridge.models import Agent, AgentToken
from lmo.bench.processes import (
    daphne_process,
    daphne_server,
    raw_echo_process,
    raw_echo_server,
)
from lmo.bench.registry import BenchOptions, ScenarioResult, scenario
from lmo.bench.stats import ratios, summarize_ms
from permissions.actions import queue_command
from permissions.models import CommandRun, Grant, Origin

THROUGHPUT_COMMANDS = 2000
IDLE_CONNECTIONS = 1000


@contextmanager
def bench_owner() -> Iterator[Any]:
    User = get_user_model()
    email = f"bench-agent-{secrets.token_hex(6)}@lmo.invalid"
    user = User.objects.create_user(username=email, email=email, password=secrets.token_urlsafe(24))
    try:
        yield user
    finally:
        user.delete()


@contextmanager
def local_agent(server_port: int, token: str) -> Iterator[subprocess.Popen[bytes]]:
    folder = Path(tempfile.mkdtemp(prefix="lmo-bench-agent-"))
    config = folder / "config.toml"
    config.write_text(
        f'server = "http://127.0.0.1:{server_port}"\nname = "bench"\n'
        "[connectors]\nfilesystem = false\nbrowser = false\nshell = false\napps = false\n"
    )
    (folder / "token").write_text(token)
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent_bridge.local_agent", "--config", str(config), "run"],
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise RuntimeError("the agent did not connect")


@contextmanager
def pinging_agent(owner: Any, server_port: int) -> Iterator[Agent]:
    """A real agent process of ``owner``'s, connected to the server, with system.ping
    always allowed."""
    agent = Agent.objects.create(owner=owner, name="bench")
    token = create_token(agent=agent).raw
    Grant.objects.create(
        owner=owner,
        agent=agent,
        target="system",
        action="ping",
        kind=Grant.Kind.ALWAYS,
        created_by=owner,
        origin=Origin.SETTINGS,
    )
    with local_agent(server_port, token):
        wait_until(lambda: Agent.objects.filter(pk=agent.pk, connected=True).exists())
        agent.refresh_from_db()
        yield agent


def one_command(agent: Agent) -> float:
    started = time.perf_counter()
    run = queue_command(agent=agent, target="system", action="ping", params={})
    finished = CommandRun.objects.filter(pk=run.pk).exclude(state__in=CommandRun.OPEN_STATES)
    while not finished.exists():
        time.sleep(0.0002)
    return time.perf_counter() - started


async def _echo_round_trips(port: int, frame: str, count: int) -> list[float]:
    samples = []
    async with connect(f"ws://127.0.0.1:{port}/", compression=None) as ws:
        for _ in range(count):
            started = time.perf_counter()
            await ws.send(frame)
            await ws.recv()
            samples.append(time.perf_counter() - started)
    return samples


def _throughput(agent: Agent, count: int) -> float:
    """Commands per second for one agent: ``count`` commands queued by 8 producers."""
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda _: queue_command(agent=agent, target="system", action="ping", params={}),
                range(count),
            )
        )
    open_runs = CommandRun.objects.filter(agent=agent, state__in=CommandRun.OPEN_STATES)
    deadline = time.monotonic() + 120
    while open_runs.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    done = CommandRun.objects.filter(agent=agent, state=CommandRun.State.SUCCEEDED).count()
    return done / elapsed


@scenario(
    "agent_command",
    "A no-op command (system.ping) from dispatch to a connected real agent process until its "
    "result is stored (scaled mode), against a raw websockets echo on loopback; and sustained "
    "commands/s for one agent.",
)
def agent_command(options: BenchOptions) -> ScenarioResult:
    if not settings.LMO_SCALED:
        raise ImproperlyConfigured(
            "agent_command measures the scaled mode: set REDIS_URL and DATABASE_URL."
        )
    iterations = max(1, min(options.iterations, 2000))
    with bench_owner() as owner, daphne_server() as port, pinging_agent(owner, port) as agent:
        for _ in range(options.warmup):
            one_command(agent)
        ours = [one_command(agent) for _ in range(iterations)]
        sample = command_frame(CommandRun.objects.filter(agent=agent).latest("created_at")).dump()
        CommandRun.objects.filter(agent=agent).delete()
        per_second = _throughput(agent, THROUGHPUT_COMMANDS)
    with raw_echo_server() as echo_port:
        raw = asyncio.run(_echo_round_trips(echo_port, sample, options.warmup + iterations))
    metrics, baseline = summarize_ms(ours), summarize_ms(raw[options.warmup :])
    metrics["commands_per_s"] = round(per_second, 1)
    return ScenarioResult(
        scenario="agent_command",
        metrics=metrics,
        baseline=baseline,
        ratio=ratios({k: v for k, v in metrics.items() if k != "commands_per_s"}, baseline),
        info={
            "mode": "scaled",
            "baseline_is": "round trip of a same-size frame to a bare websockets echo server",
            "throughput_commands": THROUGHPUT_COMMANDS,
            "goal": {"ratio.p50": 20, "metrics.commands_per_s": 300},
        },
    )


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 4 * IDLE_CONNECTIONS + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _make_agents(owner: Any, count: int) -> list[str]:
    agents = Agent.objects.bulk_create([Agent(owner=owner, name=f"idle-{i}") for i in range(count)])
    raws = [TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in agents]
    AgentToken.objects.bulk_create(
        [
            AgentToken(agent=a, digest=secret_digest(r), prefix=r[:12])
            for a, r in zip(agents, raws, strict=True)
        ]
    )
    return raws


HELLO = protocol.Hello(protocols=[1], agent_version="bench", platform="bench").dump()


async def _hold(stack: AsyncExitStack, url: str, tokens: list[str], say_hello: bool) -> None:
    """Open one idle connection per token (kept open by ``stack``), each saying hello."""

    async def _open(token: str) -> None:
        ws: ClientConnection = await stack.enter_async_context(
            connect(
                url,
                additional_headers={"Authorization": f"Bearer {token}"},
                compression=None,
                ping_interval=None,
            )
        )
        await ws.send(HELLO)
        if say_hello:
            await ws.recv()  # hello_ok

    for start in range(0, len(tokens), 25):
        await asyncio.gather(*(_open(t) for t in tokens[start : start + 25]))


def _rss(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


def _held_memory(pid: int, url: str, tokens: list[str], say_hello: bool) -> float:
    """Bytes per connection the server at ``pid`` holds for ``len(tokens)`` idle sockets."""

    async def _measure() -> float:
        async with AsyncExitStack() as stack:
            # One connection first, so one-off allocations are not counted per connection.
            await _hold(stack, url, tokens[:1], say_hello)
            await asyncio.sleep(0.5)
            before = _rss(pid)
            await _hold(stack, url, tokens[1:], say_hello)
            await asyncio.sleep(1.0)
            return (_rss(pid) - before) / (len(tokens) - 1)

    return asyncio.run(_measure())


@scenario(
    "idle_connections",
    f"{IDLE_CONNECTIONS} idle agent connections (hello said) on one Daphne process: memory per "
    "connection against a bare websockets server holding the same.",
)
def idle_connections(options: BenchOptions) -> ScenarioResult:
    _raise_fd_limit()
    with bench_owner() as owner:
        tokens = _make_agents(owner, IDLE_CONNECTIONS + 1)
        with daphne_process() as (port, daphne):
            ours = _held_memory(daphne.pid, f"ws://127.0.0.1:{port}/ws/agent/", tokens, True)
    with raw_echo_process() as (echo_port, echo):
        raw = _held_memory(echo.pid, f"ws://127.0.0.1:{echo_port}/", tokens, False)
    metrics = {"bytes_per_connection": round(ours), "kib_per_connection": round(ours / 1024, 1)}
    baseline = {"bytes_per_connection": round(raw), "kib_per_connection": round(raw / 1024, 1)}
    return ScenarioResult(
        scenario="idle_connections",
        metrics=metrics,
        baseline=baseline,
        ratio={"memory_per_connection": round(ours / raw, 2) if raw > 0 else 0.0},
        info={
            "connections": IDLE_CONNECTIONS,
            "mode": "scaled" if settings.LMO_SCALED else "embedded",
            "baseline_is": "a bare websockets echo server holding the same connections",
            "goal": {"ratio.memory_per_connection": 3},
        },
    )


SCENARIOS = [agent_command, idle_connections]
