"""lmo_bench scenario of the MCP endpoint:

- ``mcp_tool_call``: a pre-granted no-op machine action (system.ping) called through
  ``/mcp`` with the official ``mcp`` SDK client (Streamable HTTP, one session) until its
  result is back, against ``agent_command``'s own measure on the same server and agent,
  interleaved call by call: the command queued and its stored result seen (no HTTP, no
  MCP)."""

from __future__ import annotations

import asyncio
import time

import httpx2
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from agent_bridge.bench import bench_owner, one_command, pinging_agent
from agent_bridge.models import Agent
from lmo.api.bench import bench_key
from lmo.api.models import Scope
from lmo.bench.processes import daphne_server
from lmo.bench.registry import BenchOptions, ScenarioResult, scenario
from lmo.bench.stats import ratios, summarize_ms
from permissions.models import CommandRun

TOOL = "system_ping"


async def _interleaved(
    url: str, key: str, agent: Agent, warmup: int, count: int
) -> tuple[list[float], list[float]]:
    """Alternately one MCP call and one direct command (so drift in the machine's load
    weighs on both alike): the samples of each."""
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=30)
    ours: list[float] = []
    direct: list[float] = []
    async with Client(streamable_http_client(url, http_client=http), mode="legacy") as client:
        for index in range(warmup + count):
            started = time.perf_counter()
            result = await client.call_tool(TOOL, {})
            elapsed = time.perf_counter() - started
            if result.is_error:
                raise RuntimeError(f"the MCP call failed: {result.content}")
            baseline = await asyncio.to_thread(one_command, agent)
            if index >= warmup:
                ours.append(elapsed)
                direct.append(baseline)
    return ours, direct


@scenario(
    "mcp_tool_call",
    "A pre-granted no-op machine action (system.ping) called through /mcp with the official "
    "mcp SDK client until its result is back, against agent_command's queue-to-stored-result "
    "on the same server and agent (scaled mode).",
)
def mcp_tool_call(options: BenchOptions) -> ScenarioResult:
    if not settings.LMO_SCALED:
        raise ImproperlyConfigured(
            "mcp_tool_call measures the scaled mode: set REDIS_URL and DATABASE_URL."
        )
    iterations = max(1, min(options.iterations, 1000))
    with bench_owner() as owner, daphne_server() as port, pinging_agent(owner, port) as agent:
        key = bench_key(owner, [Scope.MCP.value])
        ours, direct = asyncio.run(
            _interleaved(f"http://127.0.0.1:{port}/mcp", key, agent, options.warmup, iterations)
        )
        CommandRun.objects.filter(agent=agent).delete()
    metrics, baseline = summarize_ms(ours), summarize_ms(direct)
    return ScenarioResult(
        scenario="mcp_tool_call",
        metrics=metrics,
        baseline=baseline,
        ratio=ratios(metrics, baseline),
        info={
            "mode": "scaled",
            "baseline_is": "agent_command: the same command queued directly until its result is stored",
            "goal": {"ratio.p50": 1.5},
        },
    )


SCENARIOS = [mcp_tool_call]
