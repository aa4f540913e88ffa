"""A real LMO (Daphne in a child process, its own SQLite file) and the system chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

from lmo.bench.processes import free_port, wait_for_http
from tests.conftest import clean_environ

# The first answer of a freshly started server (imports, the graph's first compile, the
# checkpointer's set-up) on a loaded two-core CI machine: give it room.
FIRST_ANSWER_MS = 30_000
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LiveServer:
    url: str
    mail_dir: Path
    env: dict[str, str]

    def shell(self, code: str) -> None:
        """Run ``code`` in ``manage.py shell`` against this server's database."""
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=self.env, check=True
        )

    def mails(self) -> list[str]:
        return [
            p.read_text() for p in sorted(self.mail_dir.glob("*"), key=lambda p: p.stat().st_mtime)
        ]


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(pw: Playwright, chromium_path: str) -> Browser:
    """Debian's chromium, headless, driven by Playwright."""
    return pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)


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
    url = f"http://127.0.0.1:{port}"
    mail_dir = tmp_path / "mail"
    env = {
        **clean_environ(),
        "LMO_PUBLIC_URL": url,  # the MCP endpoint's OAuth issuer and token audience
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
    try:
        wait_for_http(f"{url}/healthz", proc)
    except RuntimeError:
        proc.kill()
        raise RuntimeError((tmp_path / "server.log").read_text()) from None
    try:
        yield LiveServer(url=url, mail_dir=mail_dir, env=env)
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
