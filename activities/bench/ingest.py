"""lmo_bench ``ingest`` (scaled mode): 100,000 activities queued in a real agent process's
outbox, uploaded over the bridge in batches and stored by the ingestion action, until all
are in the database; against ``COPY`` of the same rows into the same table in the same run.
Then one batch is sent again: it must add 0 rows."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from activities.bench.common import (
    CATEGORIES,
    COLUMNS,
    MERCHANTS,
    require_postgres,
    throwaway_users,
)
from activities.models import Activity
from agent_bridge.actions import create_token
from agent_bridge.local_agent.state import State
from agent_bridge.models import Agent
from lmo.bench.processes import daphne_server
from lmo.bench.registry import BenchOptions, ScenarioResult, scenario

INGEST_ROWS = 100_000


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


@scenario(
    "ingest",
    "100,000 activities uploaded by a real agent process over the bridge in batches and stored "
    "(scaled mode), against COPY of the same rows; re-sending a batch must add 0 rows.",
)
def ingest(options: BenchOptions) -> ScenarioResult:
    require_postgres("ingest")
    rng = random.Random(7)  # noqa: S311 (benchmark data)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    items = [_item(n, rng, start) for n in range(INGEST_ROWS)]
    with throwaway_users(2) as (owner, other), daphne_server() as port:
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
            state.put(items[:500])
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


SCENARIOS = [ingest]
