"""What a web or worker process loads: no benchmark harness, no test support code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import sys
import django
django.setup()
from lmo.asgi import application  # the web process
from lmo.celery import app  # the worker
app.loader.import_default_modules()
loaded = sorted(
    name for name in sys.modules
    if name.startswith("lmo.bench") or name.startswith("lmo.testing") or name.endswith(".bench")
    or ".bench." in name
)
print(",".join(loaded))
"""


def test_it_loads_no_benchmark_or_test_code_in_web_and_worker_processes() -> None:
    env_cmd = [sys.executable, "-c", _PROBE]
    result = subprocess.run(
        env_cmd,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "lmo.settings", "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == "", result.stdout


def test_lmo_bench_lists_every_scenario() -> None:
    from lmo.bench.registry import scenarios

    assert set(scenarios()) >= {
        "agent_command",
        "api_first_token",
        "api_overhead",
        "chat_first_token",
        "dashboard",
        "idle_connections",
        "ingest",
        "notify_fanout",
        "permission_check",
        "ws_roundtrip",
    }
