"""lmo_bench scenarios of activities (scaled mode: PostgreSQL).

- ``ingest``: 100,000 activities queued in a real agent process's outbox, uploaded over the
  bridge in batches and stored by the ingestion action, until all are in the database;
  against ``COPY`` of the same rows into the same table in the same run. Then one batch is
  sent again: it must add 0 rows.
- ``dashboard``: a user with 1,000,000 activities (and another user with as many): the
  server time of the financial dashboard (its four charts, facts and first list page),
  against raw SQL of the same aggregates on the same connection."""

from __future__ import annotations

import io
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client

from activities.actions.tracking import delete_activities
from activities.models import Activity
from agent_bridge.actions import create_token
from agent_bridge.local_agent.state import State
from agent_bridge.models import Agent
from lmo.bench.processes import daphne_server
from lmo.bench.registry import BenchOptions, ScenarioResult, register_scenario
from lmo.bench.stats import ratios, summarize_ms

INGEST_ROWS = 100_000
DASHBOARD_ROWS = 1_000_000
MERCHANTS = [f"Merchant {i}" for i in range(400)]
CATEGORIES = [
    "groceries",
    "eating out",
    "transport",
    "shopping",
    "bills",
    "subscriptions",
    "health",
    "other",
]
COLUMNS = (
    "owner_id",
    "type",
    "occurred_at",
    "application",
    "description",
    "details",
    "source",
    "external_id",
    "amount",
    "currency",
    "category",
    "counterparty",
    "company",
    "role",
    "status",
    "created_at",
    "updated_at",
)


def _require_postgres(name: str) -> None:
    if connection.vendor != "postgresql" or not settings.LMO_SCALED:
        raise ImproperlyConfigured(
            f"{name} measures the scaled mode: set DATABASE_URL (PostgreSQL) and REDIS_URL."
        )


@contextmanager
def _users(count: int) -> Iterator[list[Any]]:
    User = get_user_model()
    users = []
    for _ in range(count):
        email = f"bench-act-{secrets.token_hex(6)}@lmo.invalid"
        users.append(
            User.objects.create_user(
                username=email, email=email, password=secrets.token_urlsafe(24)
            )
        )
    try:
        yield users
    finally:
        for user in users:
            delete_activities(Activity.objects.filter(owner=user))
            user.delete()


def _item(n: int, rng: random.Random, start: datetime) -> dict[str, Any]:
    when = start + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
    merchant = rng.choice(MERCHANTS)
    income = n % 40 == 0
    return {
        "id": f"bench:{n}",
        "type": "financial",
        "timestamp": when.isoformat(),
        "application": "Bench Bank",
        "description": f"{merchant} card payment",
        "amount": f"{rng.uniform(1000, 3000) if income else -rng.uniform(1, 200):.2f}",
        "currency": "EUR",
        "category": "income" if income else rng.choice(CATEGORIES),
        "counterparty": merchant,
        "details": {"line": n},
    }


def _copy(owner_id: int, items: list[dict[str, Any]], prefix: str) -> None:
    """The raw baseline: PostgreSQL COPY of the same rows into the same table."""
    now = datetime.now(UTC).isoformat()
    buffer = io.StringIO()
    for item in items:
        row = (
            str(owner_id),
            item["type"],
            item["timestamp"],
            item["application"],
            item["description"],
            '{"line": 0}',
            "agent",
            prefix + item["id"],
            item["amount"],
            item["currency"],
            item["category"],
            item["counterparty"],
            "",
            "",
            "",
            now,
            now,
        )
        buffer.write("\t".join(row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        with raw.copy(f"COPY activities_activity ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)


def _agent_folder(server_port: int, token: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="lmo-bench-ingest-"))
    (folder / "config.toml").write_text(
        f'server = "http://127.0.0.1:{server_port}"\nname = "bench"\n'
        "[connectors]\nfilesystem = false\nbrowser = false\nshell = false\napps = false\n"
        "[listeners]\nstatements = false\nhistory = false\n"
    )
    (folder / "token").write_text(token)
    return folder


def _wait_count(owner: Any, expected: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Activity.objects.filter(owner=owner).count() >= expected:
            return time.perf_counter()
        time.sleep(0.1)
    raise RuntimeError(
        f"only {Activity.objects.filter(owner=owner).count()} of {expected} activities arrived"
    )


@register_scenario(
    "ingest",
    "100,000 activities uploaded by a real agent process over the bridge in batches and stored "
    "(scaled mode), against COPY of the same rows; re-sending a batch must add 0 rows.",
)
def ingest(options: BenchOptions) -> ScenarioResult:
    _require_postgres("ingest")
    rng = random.Random(7)  # noqa: S311 (benchmark data)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    items = [_item(n, rng, start) for n in range(INGEST_ROWS)]
    with _users(2) as (owner, other), daphne_server() as port:
        agent = Agent.objects.create(owner=owner, name="bench")
        folder = _agent_folder(port, create_token(agent=agent).raw)
        state = State(folder / "state.sqlite3")
        state.put(items)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "agent_bridge.local_agent",
                "--config",
                str(folder / "config.toml"),
                "run",
            ],
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not Agent.objects.filter(pk=agent.pk, connected=True).exists():
                if time.monotonic() > deadline:
                    raise RuntimeError("the agent did not connect")
                time.sleep(0.01)
            began = time.perf_counter()
            finished = _wait_count(owner, INGEST_ROWS, 600)
            ours = INGEST_ROWS / (finished - began)
            # the same batch again (as after a lost acknowledgement): nothing is added
            state.put([{**i, "id": i["id"]} for i in items[:500]])
            deadline = time.monotonic() + 60
            while state.outbox_size() and time.monotonic() < deadline:
                time.sleep(0.1)
            resend_added = Activity.objects.filter(owner=owner).count() - INGEST_ROWS
        finally:
            proc.terminate()
            proc.wait(10)
            state.close()
            shutil.rmtree(folder, ignore_errors=True)
        copy_started = time.perf_counter()
        _copy(other.pk, items, "raw:")
        raw = INGEST_ROWS / (time.perf_counter() - copy_started)
    metrics = {"throughput": round(ours, 1), "resend_added": float(resend_added)}
    baseline = {"throughput": round(raw, 1)}
    return ScenarioResult(
        scenario="ingest",
        metrics=metrics,
        baseline=baseline,
        ratio={"throughput": round(ours / raw, 3)},
        info={
            "rows": INGEST_ROWS,
            "unit": "activities per second",
            "baseline_is": "PostgreSQL COPY of the same rows into activities_activity",
            "goal": {"ratio.throughput": 0.3, "metrics.resend_added": 0},
        },
    )


def _seed(owner_id: int, rows: int, seed: int) -> None:
    """``rows`` activities: 70% financial over three years, the rest jobs, pages, system."""
    rng = random.Random(seed)  # noqa: S311 (benchmark data)
    start = datetime.now(UTC) - timedelta(days=3 * 365)
    now = datetime.now(UTC).isoformat()
    chunk = 100_000
    for offset in range(0, rows, chunk):
        buffer = io.StringIO()
        for n in range(offset, min(rows, offset + chunk)):
            when = (start + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))).isoformat()
            kind = rng.random()
            merchant = rng.choice(MERCHANTS)
            if kind < 0.7:
                income = n % 40 == 0
                amount = f"{rng.uniform(1000, 3000) if income else -rng.uniform(1, 200):.2f}"
                row = (
                    "financial",
                    when,
                    "Bench Bank",
                    f"{merchant} card payment",
                    amount,
                    "EUR",
                    "income" if income else rng.choice(CATEGORIES),
                    merchant,
                    "",
                    "",
                    "",
                )
            elif kind < 0.8:
                row = (
                    "job",
                    when,
                    "Greenhouse",
                    f"Applied to Company {n % 997}",
                    "\\N",
                    "",
                    "",
                    "",
                    f"Company {n % 997}",
                    "Engineer",
                    rng.choice(["applied", "screening", "interview", "rejected"]),
                )
            elif kind < 0.95:
                row = (
                    "browser",
                    when,
                    "Chrome",
                    f"Visited page {n}",
                    "\\N",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                )
            else:
                row = ("system", when, "System", "Woke from sleep", "\\N", "", "", "", "", "", "")
            kind_, when_, app, desc, amount, currency, category, cp, company, role, status = row
            buffer.write(
                "\t".join(
                    (
                        str(owner_id),
                        kind_,
                        when_,
                        app,
                        desc,
                        "{}",
                        "import",
                        f"seed:{seed}:{n}",
                        amount,
                        currency,
                        category,
                        cp,
                        company,
                        role,
                        status,
                        now,
                        now,
                    )
                )
                + "\n"
            )
        buffer.seek(0)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY activities_activity ({', '.join(COLUMNS)}) FROM STDIN"
            ) as copy,
        ):
            copy.write(buffer.getvalue())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE activities_activity")
    with connection.cursor() as cursor:  # what autovacuum does after a bulk load: index-only scans
        cursor.execute("VACUUM activities_activity")


RAW_SQL = (
    "SELECT currency, COUNT(*) AS n FROM activities_activity WHERE owner_id = %(o)s AND type = 'financial' AND amount IS NOT NULL GROUP BY currency ORDER BY n DESC LIMIT 10",
    "SELECT date_trunc('month', occurred_at AT TIME ZONE 'UTC') AS b, SUM(amount) FILTER (WHERE amount < 0), SUM(amount) FILTER (WHERE amount > 0), COUNT(*) FROM activities_activity WHERE owner_id = %(o)s AND type = 'financial' AND amount IS NOT NULL AND currency = 'EUR' GROUP BY b ORDER BY b",
    "SELECT category, SUM(amount) AS t, COUNT(*) FROM activities_activity WHERE owner_id = %(o)s AND type = 'financial' AND amount IS NOT NULL AND currency = 'EUR' AND amount < 0 GROUP BY category ORDER BY t LIMIT 12",
    "SELECT counterparty, SUM(amount) AS t, COUNT(*) FROM activities_activity WHERE owner_id = %(o)s AND type = 'financial' AND amount IS NOT NULL AND currency = 'EUR' AND amount < 0 AND counterparty <> '' GROUP BY counterparty ORDER BY t LIMIT 10",
    "SELECT * FROM activities_activity WHERE owner_id = %(o)s ORDER BY occurred_at DESC, id DESC LIMIT 51",
)


def measure_dashboard(
    owner_id: int, session_key: str, iterations: int
) -> tuple[list[float], list[float]]:
    """Interleaved timings of the financial dashboard page and of the raw SQL."""
    client = Client(HTTP_HOST="localhost")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    url = "/dashboard/?view=financial"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert b"chart-by-category" in response.content

    def raw() -> None:
        with connection.cursor() as cursor:
            for sql in RAW_SQL:
                cursor.execute(sql, {"o": owner_id})
                cursor.fetchall()

    for _ in range(3):
        page()
        raw()
    ours: list[float] = []
    baseline: list[float] = []
    for _ in range(iterations):
        started = time.perf_counter()
        page()
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        raw()
        baseline.append(time.perf_counter() - started)
    return ours, baseline


@register_scenario(
    "dashboard",
    "The financial dashboard (four charts, facts, first list page) of a user with 1,000,000 "
    "activities (and another user with as many): server time against raw SQL of the same aggregates.",
)
def dashboard(options: BenchOptions) -> ScenarioResult:
    _require_postgres("dashboard")
    from lmo.bench.users import verified_user

    iterations = max(5, min(options.iterations, 60))
    with _users(1) as (other,), verified_user() as bench_user:
        owner = get_user_model().objects.get(pk=bench_user.user_id)
        try:
            seeded = time.perf_counter()
            _seed(owner.pk, DASHBOARD_ROWS, 1)
            _seed(other.pk, DASHBOARD_ROWS, 2)
            seeding = time.perf_counter() - seeded
            ours, baseline = measure_dashboard(owner.pk, bench_user.session_key, iterations)
        finally:
            delete_activities(Activity.objects.filter(owner=owner))
    metrics, base = summarize_ms(ours), summarize_ms(baseline)
    return ScenarioResult(
        scenario="dashboard",
        metrics=metrics,
        baseline=base,
        ratio=ratios(metrics, base),
        info={
            "rows_for_user": DASHBOARD_ROWS,
            "rows_for_others": DASHBOARD_ROWS,
            "seeding_s": round(seeding, 1),
            "baseline_is": "the same aggregates (currencies, per month, by category, top merchants) and first page in raw SQL",
            "goal": {"ratio.p50": 3, "metrics.p50_ms": 500},
            "run": str(uuid.uuid4())[:8],
        },
    )
