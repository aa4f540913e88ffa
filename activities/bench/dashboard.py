"""lmo_bench ``dashboard`` (scaled mode): a user with 1,000,000 activities (and another user
with as many): the server time of the financial dashboard (its four charts, facts and first
list page), against raw SQL of the same aggregates on the same connection."""

from __future__ import annotations

import io
import random
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from activities.actions.tracking import delete_activities
from activities.bench.common import (
    CATEGORIES,
    COLUMNS,
    MERCHANTS,
    require_postgres,
    throwaway_users,
)
from activities.models import Activity
from lmo.bench.registry import BenchOptions, ScenarioResult, scenario
from lmo.bench.stats import ratios, summarize_ms

DASHBOARD_ROWS = 1_000_000


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


@scenario(
    "dashboard",
    "The financial dashboard (four charts, facts, first list page) of a user with 1,000,000 "
    "activities (and another user with as many): server time against raw SQL of the same aggregates.",
)
def dashboard(options: BenchOptions) -> ScenarioResult:
    require_postgres("dashboard")
    from lmo.bench.users import verified_user

    iterations = max(5, min(options.iterations, 60))
    with throwaway_users(1) as (other,), verified_user() as bench_user:
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
        },
    )


SCENARIOS = [dashboard]
