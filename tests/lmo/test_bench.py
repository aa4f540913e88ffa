from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from lmo.bench.stats import percentile, ratios, summarize_ms

ROOT = Path(__file__).resolve().parents[2]


def test_percentiles_use_nearest_rank() -> None:
    samples = [float(i) for i in range(1, 101)]
    assert percentile(samples, 50) == 50
    assert percentile(samples, 95) == 95
    assert percentile([3.0], 95) == 3.0
    assert ratios(summarize_ms([0.002] * 3), summarize_ms([0.001] * 3)) == {"p50": 2.0, "p95": 2.0}


@pytest.mark.django_db(transaction=True)
def test_lmo_bench_runs_ws_roundtrip_against_a_raw_baseline(tmp_path: Path) -> None:
    """The harness end to end: real Daphne, real websockets echo, JSON written."""
    out = tmp_path / "bench.json"
    env = {**os.environ}
    if not settings.LMO_SCALED:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "lmo_bench",
            "--scenario",
            "ws_roundtrip",
            "--iterations",
            "50",
            "--warmup",
            "5",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["scenario"] == "ws_roundtrip"
    assert data["metrics"]["n"] == 50 and data["baseline"]["n"] == 50
    assert data["metrics"]["p50_ms"] > 0 and data["baseline"]["p50_ms"] > 0
    assert data["ratio"]["p50"] == round(data["metrics"]["p50_ms"] / data["baseline"]["p50_ms"], 3)
    assert data["via"] == ("group" if settings.LMO_SCALED else "direct")
    assert "ratio" in result.stdout


def test_unknown_scenarios_are_refused() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "lmo_bench", "--scenario", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Unknown scenario(s): nope" in result.stderr


@pytest.mark.embedded
@pytest.mark.django_db(transaction=True)
def test_lmo_bench_runs_the_api_scenarios(tmp_path: Path) -> None:
    """The SDK's first token against the page's, the API against a bare view: both run
    and the bare view answers the API's JSON (the scenario checks it)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    for name in ("api_first_token", "api_overhead"):
        out = tmp_path / f"{name}.json"
        result = subprocess.run(
            [sys.executable, "manage.py", "lmo_bench", "--scenario", name,
             "--iterations", "10", "--warmup", "2", "--json", str(out)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        data = json.loads(out.read_text())
        assert data["scenario"] == name and data["metrics"]["n"] == data["baseline"]["n"] == 10
