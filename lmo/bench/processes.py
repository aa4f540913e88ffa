"""Starting real servers for a benchmark: Daphne serving LMO, a raw websockets echo."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Return once ``url`` answers any HTTP status; raise if ``proc`` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=10):  # noqa: S310 (loopback URL we built)
                return
        except urllib.error.HTTPError:
            return  # it answers; a 503 only means some other part (e.g. no worker) is down
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url} within {timeout}s")


@contextmanager
def _process(
    cmd: list[str], ready_url: str | None, ready_line: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        cmd,
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE if ready_line else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if ready_url:
            wait_for_http(ready_url, proc)
        if ready_line:
            assert proc.stdout is not None
            proc.stdout.readline()
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def daphne_process() -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """LMO served by Daphne in a child process with this process's environment: its port
    and the process (to measure it)."""
    port = free_port()
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    cmd = [sys.executable, manage, "lmo_serve", "--host", "127.0.0.1", "--port", str(port)]
    with _process(cmd, f"http://127.0.0.1:{port}/healthz") as proc:
        yield port, proc


@contextmanager
def daphne_server() -> Iterator[int]:
    with daphne_process() as (port, _):
        yield port


@contextmanager
def raw_echo_process() -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A bare ``websockets`` echo server in a child process: the floor for a round trip."""
    port = free_port()
    cmd = [sys.executable, "-m", "lmo.bench.echo_server", str(port)]
    with _process(cmd, None, ready_line=True) as proc:
        yield port, proc


@contextmanager
def raw_echo_server() -> Iterator[int]:
    with raw_echo_process() as (port, _):
        yield port
