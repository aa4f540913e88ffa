"""A real LMO (Daphne in a child process, its own SQLite file) and the system chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lmo.bench.processes import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LiveServer:
    url: str
    mail_dir: Path
    env: dict[str, str]

    def mails(self) -> list[str]:
        return [
            p.read_text() for p in sorted(self.mail_dir.glob("*"), key=lambda p: p.stat().st_mtime)
        ]


def _chromium() -> str | None:
    return (
        os.environ.get("LMO_TEST_BROWSER")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _chromium()
    if path is None:
        if os.environ.get("LMO_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "LMO_TEST_REQUIRE_BROWSER=1 but no chromium was found (set LMO_TEST_BROWSER)."
            )
        pytest.skip("no chromium on PATH: install Debian's chromium or set LMO_TEST_BROWSER")
    return path


@pytest.fixture
def live_server_process(tmp_path: Path) -> Iterator[LiveServer]:
    port = free_port()
    mail_dir = tmp_path / "mail"
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LMO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"))
    }
    env = {
        **clean,
        "LMO_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'lmo.sqlite3'}",
        "EMAIL_URL": f"filemail://{mail_dir}",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "lmo_serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=5)  # noqa: S310
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError((tmp_path / "server.log").read_text()) from None
            time.sleep(0.2)
    try:
        yield LiveServer(url=url, mail_dir=mail_dir, env=env)
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
