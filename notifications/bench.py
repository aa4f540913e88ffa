"""lmo_bench scenario of notifications: fan-out of one notification to 50 open pages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from functools import partial

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from websockets.asyncio.client import ClientConnection, connect

from lmo.accounts.models import User
from lmo.bench.processes import daphne_server
from lmo.bench.registry import BenchOptions, ScenarioResult, scenario
from lmo.bench.stats import ratios, summarize_ms
from lmo.bench.users import verified_user
from lmo.live import push
from lmo.live.groups import user_group
from notifications.actions import notify
from notifications.live import badge_html, toast_html
from notifications.models import Category, Notification, Priority

SOCKETS = 50


async def _until_all_have(sockets: list[ClientConnection], marker: str) -> None:
    async def _one(ws: ClientConnection) -> None:
        while marker not in str(await ws.recv()):
            pass

    await asyncio.wait_for(asyncio.gather(*(_one(ws) for ws in sockets)), 30)


async def _fanout(sockets: list[ClientConnection], send: Callable[[], None], marker: str) -> float:
    started = time.perf_counter()
    waiting = asyncio.ensure_future(_until_all_have(sockets, marker))
    await asyncio.to_thread(send)
    await waiting
    return time.perf_counter() - started


def _notify(user: User, marker: str) -> None:
    notify(owner=user, category=Category.ASSISTANT, priority=Priority.NORMAL, title=marker)


def _raw(user_id: int, html: str) -> None:
    """The baseline: the push module's plain send of an already rendered fragment."""
    push.send_now(user_group(user_id), html)


def _same_size_html(user: User, marker: str) -> str:
    """What a notification's push weighs, as a plain fragment carrying ``marker``."""
    sample = Notification(pk=0, owner=user, category=Category.ASSISTANT, title=marker)
    return badge_html(1) + toast_html(sample)


async def _run(
    port: int, cookie: str, user: User, options: BenchOptions
) -> tuple[list[float], list[float]]:
    url = f"ws://127.0.0.1:{port}/ws/live/"
    headers = {"Origin": f"http://127.0.0.1:{port}", "Cookie": cookie}
    async with AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(
                connect(url, additional_headers=headers, compression=None, max_size=2**20)
            )
            for _ in range(SOCKETS)
        ]
        notified: list[float] = []
        raw: list[float] = []
        for i in range(options.warmup + options.iterations):
            # Interleaved, so both see the same machine load.
            marker = f"bench-notify-{i}-{time.time_ns()}"
            took = await _fanout(sockets, partial(_notify, user, marker), marker)
            raw_marker = f"bench-raw-{i}-{time.time_ns()}"
            html = _same_size_html(user, raw_marker)
            raw_took = await _fanout(sockets, partial(_raw, user.pk, html), raw_marker)
            if i >= options.warmup:
                notified.append(took)
                raw.append(raw_took)
    return notified, raw


@scenario(
    "notify_fanout",
    f"notify() of one notification until all {SOCKETS} open page sockets of the user have it "
    "(scaled mode), against a plain send (lmo.live.push.send_now) of a same-size fragment to "
    "the same sockets.",
)
def notify_fanout(options: BenchOptions) -> ScenarioResult:
    if not settings.LMO_SCALED:
        raise ImproperlyConfigured(
            "notify_fanout measures the scaled mode: set REDIS_URL (and DATABASE_URL)."
        )
    options = BenchOptions(
        iterations=max(1, min(options.iterations, 300)), warmup=min(options.warmup, 20)
    )
    with verified_user() as bench_user, daphne_server() as port:
        user = User.objects.get(pk=bench_user.user_id)
        notified, raw = asyncio.run(_run(port, bench_user.cookie_header(), user, options))
    metrics, baseline = summarize_ms(notified), summarize_ms(raw)
    return ScenarioResult(
        scenario="notify_fanout",
        metrics=metrics,
        baseline=baseline,
        ratio=ratios(metrics, baseline),
        info={
            "mode": "scaled",
            "sockets": SOCKETS,
            "baseline_is": "lmo.live.push.send_now of a same-size fragment to the user's group",
            "goal": {"ratio.p50": 2},
        },
    )


SCENARIOS = [notify_fanout]
