"""Real processes for the agent-bridge tests: Daphne serving LMO on this run's database
and Redis, and the local agent (``python -m agent_bridge.local_agent run``)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from agent_bridge.models import Agent
from lmo.bench.processes import free_port, wait_for_http
from permissions.models import CommandRun
from tests.conftest import ROOT, clean_environ, test_database_url


def server_env() -> dict[str, str]:
    return {
        **clean_environ(),
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": str(settings.REDIS_URL),
        "LMO_MEDIA_ROOT": str(settings.MEDIA_ROOT),  # files the server stores, read here
        "PYTHONUNBUFFERED": "1",
    }


class Daphne:
    def __init__(self, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.env = env or {}
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Daphne:
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "lmo_serve", "--port", str(self.port)],
            cwd=ROOT,
            env={**server_env(), **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_http(f"{self.url}/healthz", self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None


@contextmanager
def daphne() -> Iterator[Daphne]:
    server = Daphne().start()
    try:
        yield server
    finally:
        server.stop()


class LocalAgent:
    """The real agent process with its own config folder."""

    def __init__(self, folder: Path, server: str, token: str, policy: str = "") -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.config = folder / "config.toml"
        self.config.write_text(f'server = "{server}"\nname = "test box"\n{policy}\n')
        (folder / "token").write_text(token)
        self.log = folder / "agent.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> LocalAgent:
        env = {**clean_environ(), "PYTHONUNBUFFERED": "1"}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "agent_bridge.local_agent",
                    "--config",
                    str(self.config),
                    "run",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None


def wait_until(check: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}")


def wait_connected(agent: Agent, timeout: float = 30) -> None:
    """Until the computer said hello; ``agent`` then holds what it declared."""
    wait_until(
        lambda: Agent.objects.filter(pk=agent.pk, connected=True).exists(), timeout, "the agent"
    )
    agent.refresh_from_db()


def wait_finished(run: CommandRun, timeout: float = 30) -> CommandRun:
    def finished() -> CommandRun | None:
        run.refresh_from_db()
        return run if run.is_finished else None

    return wait_until(finished, timeout, f"run {run.pk} ({run.target}.{run.action})")


def mcp_time_command() -> str:
    found = Path(sys.executable).with_name("mcp-server-time")
    return str(found) if found.exists() else "mcp-server-time"
