"""lmo_bench scenarios of the public API, against a baseline measured in the same run on
the same server:

- ``api_first_token``: the first streamed token of ``/api/v1/chat/completions`` through the
  official ``openai`` SDK, against the chat page's first token over its socket;
- ``api_overhead``: ``GET /api/v1/conversations`` (20 items), against a bare Django view that
  answers the same JSON from the same query (``lmo.api.bench_urls``, served only to
  benchmarks)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from chat.bench import llm_env, socket_session, worker
from chat.models import Conversation
from lmo.api.keys import create_api_key
from lmo.api.models import Scope
from lmo.bench.processes import daphne_server
from lmo.bench.registry import BenchOptions, ScenarioResult, scenario
from lmo.bench.stats import ratios, summarize_ms
from lmo.bench.users import BenchUser, verified_user
from lmo.organisations.access import current_membership
from lmo.testing.fake_llm import FakeLLM, Reply

PAGE = 20


@contextmanager
def _bench_urls() -> Iterator[None]:
    """Child servers started meanwhile also serve the bare baseline view."""
    saved = os.environ.get("DJANGO_SETTINGS_MODULE")
    os.environ["DJANGO_SETTINGS_MODULE"] = "lmo.api.bench_settings"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("DJANGO_SETTINGS_MODULE", None)
        else:
            os.environ["DJANGO_SETTINGS_MODULE"] = saved


def _api_key(bench_user: BenchUser) -> str:
    """A key with every scope, in an organisation whose limits a benchmark never meets."""
    from django.contrib.auth import get_user_model

    return bench_key(get_user_model().objects.get(pk=bench_user.user_id), list(Scope.values))


def bench_key(user: Any, scopes: list[str]) -> str:
    """A key of ``user``'s with ``scopes``, in an organisation whose limits a benchmark
    never meets."""
    membership = current_membership(user)
    organisation = membership.organisation
    organisation.requests_per_minute = 10**9
    organisation.key_requests_per_minute = 10**9
    organisation.save(update_fields=["requests_per_minute", "key_requests_per_minute"])
    _, raw = create_api_key(
        membership=membership,
        name="bench",
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=1),
    )
    return raw


def _sdk_first_tokens(port: int, raw: str, fake: FakeLLM, warmup: int, n: int) -> list[float]:
    import openai

    client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/api/v1", api_key=raw, timeout=30)
    samples: list[float] = []
    for i in range(warmup + n):
        fake.script(Reply(text="ok"))
        started = time.perf_counter()
        stream = client.chat.completions.create(
            model="lmo-assistant", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        first = 0.0
        for chunk in stream:
            if not first and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter() - started
        if not first:
            raise RuntimeError("the streamed completion carried no token")
        if i >= warmup:
            samples.append(first)
    client.close()
    return samples


@scenario(
    "api_first_token",
    "First streamed token of /api/v1/chat/completions through the official openai SDK "
    "against the chat page's first token over its socket (chat_first_token), same server, "
    "same fake LLM, same run.",
)
def api_first_token(options: BenchOptions) -> ScenarioResult:
    n = max(1, min(options.iterations, 200))
    warmup = min(options.warmup, 10)
    with llm_env() as fake, verified_user() as bench_user, worker(), daphne_server() as port:
        raw = _api_key(bench_user)
        conversation = Conversation.objects.create(owner_id=bench_user.user_id, title="bench")
        socket_options = BenchOptions(iterations=n, warmup=warmup)
        chat, _ = asyncio.run(
            socket_session(
                port, bench_user.cookie_header(), conversation.pk, fake, socket_options, n, 0
            )
        )
        api = _sdk_first_tokens(port, raw, fake, warmup, n)
    metrics, baseline = summarize_ms(api), summarize_ms(chat)
    return ScenarioResult(
        scenario="api_first_token",
        metrics=metrics,
        baseline=baseline,
        ratio=ratios(metrics, baseline),
        info={
            "mode": "scaled" if settings.LMO_SCALED else "embedded",
            "baseline_is": "chat_first_token: the chat page's first token over /ws/live/",
            "goal": {"ratio.p50": 1.2},
        },
    )


def _timed_gets(client: httpx.Client, url: str, warmup: int, n: int) -> tuple[list[float], Any]:
    samples: list[float] = []
    body: Any = None
    for i in range(warmup + n):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}: {response.text}")
        body = response.json()
        if i >= warmup:
            samples.append(elapsed)
    return samples, body


def _same_json(api: Any, bare: Any) -> None:
    if api != bare:
        raise RuntimeError("the bare view does not answer the API's JSON")


@scenario(
    "api_overhead",
    "GET /api/v1/conversations (20 items: bearer key, scope, rate limit, request log, "
    "usage, ETag, schema) against a bare Django view answering the same JSON from the "
    "same query, in the same server, alternating.",
)
def api_overhead(options: BenchOptions) -> ScenarioResult:
    n = max(1, min(options.iterations, 1000))
    warmup = min(options.warmup, 50)
    with verified_user() as bench_user, _bench_urls(), daphne_server() as port:
        raw = _api_key(bench_user)
        for i in range(PAGE + 5):
            Conversation.objects.create(owner_id=bench_user.user_id, title=f"bench {i}")
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {raw}"}
        with httpx.Client(base_url=base, headers=headers) as client:
            api_url = f"/api/v1/conversations?limit={PAGE}"
            bare_url = f"/bench/bare/conversations/{bench_user.user_id}/"
            api: list[float] = []
            bare: list[float] = []
            for _ in range(5):  # alternate, so drift hits both alike
                samples, api_body = _timed_gets(client, api_url, warmup // 5, n // 5)
                api += samples
                samples, bare_body = _timed_gets(client, bare_url, warmup // 5, n // 5)
                bare += samples
            _same_json(api_body, bare_body)
    metrics, baseline = summarize_ms(api), summarize_ms(bare)
    return ScenarioResult(
        scenario="api_overhead",
        metrics=metrics,
        baseline=baseline,
        ratio=ratios(metrics, baseline),
        info={
            "mode": "scaled" if settings.LMO_SCALED else "embedded",
            "baseline_is": "a bare Django view (lmo.api.bench_urls) answering the same JSON",
            "goal": {"ratio.p50": 2},
        },
    )


SCENARIOS = [api_first_token, api_overhead]
