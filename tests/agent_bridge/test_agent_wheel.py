"""The agent installs alone: its wheel, built from ``agent_bridge/local_agent``, goes into
a fresh virtualenv with only what the agent needs (no Django, Celery, LangGraph, psycopg or
plotly), and that installed ``lmo-agent`` pairs with a live server by its code and runs a
command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from agent_bridge.actions import approve_pairing
from agent_bridge.models import Agent
from permissions.actions import queue_command
from permissions.models import CommandRun
from tests.agent_bridge.conftest import allow_everything
from tests.agent_bridge.live import daphne, wait_connected, wait_finished, wait_until
from tests.conftest import ROOT, clean_environ

pytestmark = [pytest.mark.scaled, pytest.mark.django_db(transaction=True)]
SERVER_ONLY = ["django", "channels", "celery", "langgraph", "langchain_core", "psycopg", "plotly"]
CODE = re.compile(r"Settings → Apps:\s+([A-Z0-9]{4}-[A-Z0-9]{4})")


def _run(*args: str | Path, timeout: float = 600, cwd: Path = Path("/")) -> str:
    """Run outside the repository, so nothing of it can be imported by accident."""
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**clean_environ(), "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding the agent's wheel and its dependencies only."""
    work = tmp_path_factory.mktemp("agent-wheel")
    wheels = work / "dist"
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        ROOT / "agent_bridge/local_agent",
        "-w",
        wheels,
    )
    (wheel,) = wheels.glob("lmo_agent-*.whl")
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", venv)
    _run(venv / "bin/python", "-m", "pip", "install", "--quiet", wheel)
    return venv


def test_the_wheel_holds_the_agent_and_needs_nothing_of_the_server(installed: Path) -> None:
    probe = (
        "import importlib.util, json; "
        f"print(json.dumps([n for n in {SERVER_ONLY!r} if importlib.util.find_spec(n)]))"
    )
    assert json.loads(_run(installed / "bin/python", "-c", probe)) == []
    # The agent package alone: no server module came with it (agent_bridge is a namespace).
    listing = _run(
        installed / "bin/python", "-c", "import agent_bridge; print(list(agent_bridge.__path__))"
    )
    site = Path(json.loads(listing.replace("'", '"'))[0])
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith("__")) == ["local_agent"]
    assert "lmo-agent 0.1.0" in _run(installed / "bin/lmo-agent", "--version")


def test_the_installed_agent_pairs_and_runs_a_command(
    installed: Path, alice: Any, tmp_path: Path
) -> None:
    config = tmp_path / "agent" / "config.toml"
    with daphne() as server:
        pairing = subprocess.Popen(
            [
                installed / "bin/lmo-agent",
                "--config",
                config,
                "pair",
                "--server",
                server.url,
                "--name",
                "wheel box",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=clean_environ(),
            cwd=tmp_path,
        )
        try:
            assert pairing.stdout is not None
            shown = ""
            deadline = time.monotonic() + 30
            while not CODE.search(shown) and time.monotonic() < deadline:
                shown += pairing.stdout.readline()
            found = CODE.search(shown)
            assert found, shown
            agent = approve_pairing(user=alice, code=found.group(1))  # what Settings → Apps does
            out, _ = pairing.communicate(timeout=30)
            assert pairing.returncode == 0, shown + out
        finally:
            if pairing.poll() is None:
                pairing.kill()
        assert agent.name == "wheel box" and config.exists()
        allow_everything(alice, agent)
        running = subprocess.Popen(
            [installed / "bin/lmo-agent", "--config", config, "run"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=clean_environ(),
            cwd=tmp_path,
        )
        try:
            wait_connected(agent)
            assert agent.agent_version == "0.1.0"
            run = queue_command(agent=agent, target="system", action="info", params={})
            done = wait_finished(run)
            assert done.state == CommandRun.State.SUCCEEDED, done.error
            assert "os" in (done.result or {})
        finally:
            running.terminate()
            running.wait(10)
        wait_until(
            lambda: not Agent.objects.get(pk=agent.pk).connected, 20, "the agent to disconnect"
        )
