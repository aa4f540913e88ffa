"""lmo_bench scenario: the "may this run?" decision.

A user with 1,000 grants (several computers, every connector, scopes, expired, revoked,
used-up and deny rules among them) asks for a command that one grant allows; the
baseline, in the same run on the same database, is a bare indexed lookup of one grant
row by primary key."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from agent_bridge.models import Agent
from lmo.bench.registry import BenchOptions, ScenarioResult, scenario
from lmo.bench.stats import ratios, summarize_ms
from permissions.decision import may_run
from permissions.models import Grant, Origin

GRANTS = 1000
TARGETS = ("filesystem", "shell", "browser", "apps", "system", "mcp:time", "mcp:git")
ACTIONS = ("list", "read", "search", "write", "run", "open", "info", "get_current_time")


@contextmanager
def _owner() -> Iterator[Any]:
    User = get_user_model()
    email = f"bench-perm-{secrets.token_hex(6)}@lmo.invalid"
    user = User.objects.create_user(username=email, email=email, password=secrets.token_urlsafe(24))
    try:
        yield user
    finally:
        user.delete()


def _grants(owner: Any, agents: list[Agent]) -> Grant:
    """1,000 varied grants; returns the one the measured command matches."""
    now = timezone.now()
    rows = []
    for i in range(GRANTS - 1):
        target = TARGETS[i % len(TARGETS)]
        state = i % 10
        rows.append(
            Grant(
                owner=owner,
                agent=agents[i % len(agents)] if i % 3 else None,
                target=target,
                action=ACTIONS[i % len(ACTIONS)],
                scope=f"~/folder-{i}" if target == "filesystem" else "",
                effect=Grant.Effect.DENY if state == 9 else Grant.Effect.ALLOW,
                kind=Grant.Kind.ONCE if state == 1 else Grant.Kind.UNTIL,
                expires_at=now - timedelta(minutes=5) if state == 2 else now + timedelta(days=1),
                revoked_at=now if state == 3 else None,
                consumed_at=now if state == 1 and i % 20 == 1 else None,
                created_by=owner,
                origin=Origin.CHAT,
            )
        )
    Grant.objects.bulk_create(rows, batch_size=500)
    return Grant.objects.create(
        owner=owner,
        agent=agents[0],
        target="filesystem",
        action="list",
        scope="~/Documents",
        kind=Grant.Kind.ALWAYS,
        created_by=owner,
        origin=Origin.CHAT,
    )


def _time(fn: Any, count: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


@scenario(
    "permission_check",
    "The 'may this run?' decision for a user with 1,000 grants, against a bare indexed "
    "lookup of one grant row in the same run.",
)
def permission_check(options: BenchOptions) -> ScenarioResult:
    with _owner() as owner:
        agents = [Agent.objects.create(owner=owner, name=f"bench-{n}") for n in range(3)]
        wanted = _grants(owner, agents)
        params = {"path": "~/Documents/reports/2026"}

        def decide() -> None:
            verdict = may_run(
                owner_id=owner.pk,
                agent_id=agents[0].pk,
                target="filesystem",
                action="list",
                params=params,
            )
            assert verdict.outcome == "allow" and verdict.grant is not None

        def raw() -> None:
            assert Grant.objects.filter(pk=wanted.pk).first() is not None

        # Interleave so both see the same cache and load.
        ours: list[float] = []
        baseline: list[float] = []
        for _ in range(max(1, options.iterations // 100)):
            ours += _time(decide, 100, 5)
            baseline += _time(raw, 100, 5)
    metrics, base = summarize_ms(ours), summarize_ms(baseline)
    return ScenarioResult(
        scenario="permission_check",
        metrics=metrics,
        baseline=base,
        ratio=ratios(metrics, base),
        info={
            "grants": GRANTS,
            "database": connection.vendor,
            "baseline_is": "Grant.objects.filter(pk=...).first() (primary key index)",
            "goal": {"ratio.p50": 3},
        },
    )


SCENARIOS = [permission_check]
