"""Built-in scenarios of the foundation."""

from __future__ import annotations

import asyncio
import json
import time

from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect

from lmo.bench.processes import daphne_server, raw_echo_server
from lmo.bench.registry import BenchOptions, ScenarioResult, scenario
from lmo.bench.stats import ratios, summarize_ms
from lmo.bench.users import verified_user


async def _ping_loop(ws: ClientConnection, via: str, count: int) -> list[float]:
    samples = []
    for i in range(count):
        frame = json.dumps({"type": "ping", "id": str(i), "via": via})
        started = time.perf_counter()
        await ws.send(frame)
        reply = json.loads(await ws.recv())
        samples.append(time.perf_counter() - started)
        if reply.get("id") != str(i):
            raise RuntimeError(f"unexpected reply {reply!r}")
    return samples


async def _measure(
    url: str, headers: dict[str, str], via: str, options: BenchOptions
) -> list[float]:
    async with connect(url, additional_headers=headers, compression=None, max_size=2**20) as ws:
        await _ping_loop(ws, via, options.warmup)
        return await _ping_loop(ws, via, options.iterations)


@scenario(
    "ws_roundtrip",
    "A ping over /ws/live/ through Daphne (and a channel-layer group echo in the scaled "
    "mode) against a raw websockets echo server on loopback.",
)
def ws_roundtrip(options: BenchOptions) -> ScenarioResult:
    via = "group" if settings.LMO_SCALED else "direct"
    with verified_user() as bench_user, daphne_server() as lmo_port, raw_echo_server() as raw_port:
        origin = f"http://127.0.0.1:{lmo_port}"
        lmo = asyncio.run(
            _measure(
                f"ws://127.0.0.1:{lmo_port}/ws/live/",
                {"Origin": origin, "Cookie": bench_user.cookie_header()},
                via,
                options,
            )
        )
        # The echo server returns the ping itself, which carries the same id.
        raw = asyncio.run(_measure(f"ws://127.0.0.1:{raw_port}/", {}, via, options))
    metrics, baseline = summarize_ms(lmo), summarize_ms(raw)
    return ScenarioResult(
        scenario="ws_roundtrip",
        metrics=metrics,
        baseline=baseline,
        ratio=ratios(metrics, baseline),
        info={
            "mode": "scaled" if settings.LMO_SCALED else "embedded",
            "via": via,
            "goal": {"ratio.p50": 12 if settings.LMO_SCALED else 4},
        },
    )


SCENARIOS = [ws_roundtrip]
