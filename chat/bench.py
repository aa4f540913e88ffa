"""lmo_bench scenarios of the chat."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect

from chat.models import Conversation
from lmo.bench.processes import daphne_server
from lmo.bench.registry import BenchOptions, ScenarioResult, scenario
from lmo.bench.stats import ratios, summarize_ms
from lmo.bench.users import verified_user
from lmo.testing.fake_llm import FakeLLM, Reply

STREAM_FRAGMENT_MARK = '-stream" hx-swap-oob="beforeend">'


@contextmanager
def llm_env() -> Iterator[FakeLLM]:
    """The fake LLM in this process, and the environment that points children at it."""
    fake = FakeLLM().start()
    saved = {k: os.environ.get(k) for k in ("LMO_LLM_BASE_URL", "LMO_LLM_API_KEY")}
    os.environ["LMO_LLM_BASE_URL"] = fake.url
    os.environ["LMO_LLM_API_KEY"] = "bench"
    try:
        yield fake
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        fake.stop()


@contextmanager
def worker() -> Iterator[None]:
    if not settings.LMO_SCALED:
        yield  # the embedded server runs tasks itself
        return
    cmd = [sys.executable, "-m", "celery", "-A", "lmo", "worker", "-Q", "high,default",
           "--pool", "threads", "--concurrency", "4", "--without-gossip", "--without-mingle",
           "-l", "WARNING"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        from lmo.tasks import ping

        ping.apply_async(queue="high").get(timeout=30)
        yield
    finally:
        proc.terminate()
        proc.wait(20)


async def _ask(
    ws: ClientConnection, conversation: int, fake: FakeLLM, reply: Reply
) -> tuple[float, float]:
    """Seconds to the first token frame, and to the finished answer."""
    fake.script(reply)
    client_id = uuid.uuid4().hex
    frame = {
        "type": "chat.send",
        "conversation": conversation,
        "client_id": client_id,
        "content": "hi",
    }
    started = time.perf_counter()
    await ws.send(json.dumps(frame))
    first = 0.0
    while True:
        text = str(await asyncio.wait_for(ws.recv(), 30))
        if not first and STREAM_FRAGMENT_MARK in text:
            first = time.perf_counter() - started
        if first and 'data-sender="assistant" class="message from-assistant"' in text:
            return first, time.perf_counter() - started


async def socket_session(
    port: int,
    cookie: str,
    conversation: int,
    fake: FakeLLM,
    options: BenchOptions,
    n: int,
    e2e: int,
) -> tuple[list[float], list[float]]:
    """Over the chat page's socket: seconds to the first token of ``n`` answers (after the
    warm-up), and to the end of ``e2e`` 200-token answers."""
    url = f"ws://127.0.0.1:{port}/ws/live/"
    headers = {"Origin": f"http://127.0.0.1:{port}", "Cookie": cookie}
    async with connect(url, additional_headers=headers, compression=None, max_size=2**20) as ws:
        await ws.send(json.dumps({"type": "chat.join", "conversation": conversation}))
        await ws.recv()
        for _ in range(options.warmup):
            await _ask(ws, conversation, fake, Reply(text="ok"))
        firsts = [(await _ask(ws, conversation, fake, Reply(text="ok")))[0] for _ in range(n)]
        long = Reply(tokens=[f"t{i} " for i in range(200)])
        totals = [(await _ask(ws, conversation, fake, long))[1] for _ in range(e2e)]
    return firsts, totals


def _celery_roundtrips(count: int) -> list[float]:
    from lmo.tasks import ping

    samples = []
    for _ in range(count):
        started = time.perf_counter()
        ping.apply_async(queue="default").get(timeout=10)
        samples.append(time.perf_counter() - started)
    return samples


@scenario(
    "chat_first_token",
    "Socket send -> first streamed token back on the same socket (fake LLM answering "
    "instantly, real worker in the scaled mode) against a Celery no-op round trip; also "
    "the end-to-end time of a 200-token answer.",
)
def chat_first_token(options: BenchOptions) -> ScenarioResult:
    n = max(1, min(options.iterations, 300))
    e2e = max(1, min(options.iterations // 10, 30))
    options = BenchOptions(iterations=n, warmup=min(options.warmup, 10))
    with llm_env() as fake, verified_user() as bench_user, worker(), daphne_server() as port:
        conversation = Conversation.objects.create(owner_id=bench_user.user_id, title="bench")
        firsts, totals = asyncio.run(
            socket_session(port, bench_user.cookie_header(), conversation.pk, fake, options, n, e2e)
        )
        _celery_roundtrips(options.warmup)
        baseline_samples = _celery_roundtrips(n)
    metrics, baseline = summarize_ms(firsts), summarize_ms(baseline_samples)
    total = summarize_ms(totals)
    ratio = ratios(metrics, baseline)
    metrics["answer_200_tokens_p50_ms"] = total["p50_ms"]
    metrics["answer_200_tokens_p95_ms"] = total["p95_ms"]
    return ScenarioResult(
        scenario="chat_first_token",
        metrics=metrics,
        baseline=baseline,
        ratio=ratio,
        info={
            "mode": "scaled" if settings.LMO_SCALED else "embedded",
            "baseline_is": "Celery no-op task round trip (apply_async + result) on the same broker",
            "goal": {"ratio.p50": 3},
        },
    )


SCENARIOS = [chat_first_token]
