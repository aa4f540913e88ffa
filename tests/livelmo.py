"""A live LMO for tests of real clients (the ``openai`` and ``mcp`` SDKs): Daphne in its
own process (``manage.py lmo_serve``), on a copy of a migrated SQLite database, or in the
scaled mode on this run's PostgreSQL and Redis with a real Celery worker; and helpers that
act in it from other processes (seed a key, a computer, answer a permission request from
the page as the signed-in user's browser would)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from lmo.bench.processes import free_port, wait_for_http
from tests.conftest import ROOT, clean_environ

SEED = """
import json
from datetime import timedelta
from django.utils import timezone
from lmo.accounts.models import User
from lmo.api.keys import create_api_key
from lmo.organisations.access import current_membership
from activities.actions.ingest import ingest_activities
u = User.objects.filter(email="ann@example.com").first() or User.objects.create_user(
    username="ann@example.com", email="ann@example.com", password="x")
ingest_activities(owner=u, source="manual", items=[{"id": "c1", "type": "financial",
    "timestamp": "2026-11-20T09:00:00Z", "description": "Flat white", "amount": "-3.20",
    "currency": "EUR", "category": "coffee"}])
_, raw = create_api_key(membership=current_membership(u), name="sdk", scopes=SCOPES,
    expires_at=timezone.now() + timedelta(days=1))
print("KEY=" + raw)
"""


class LiveLMO:
    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The OAuth issuer and the resource MCP tokens are bound to.
        self.env = {**env, "LMO_PUBLIC_URL": self.url}
        self.log = tmp_path / "server.log"
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> LiveLMO:
        with self.log.open("ab") as log:
            server = subprocess.Popen(
                [sys.executable, "manage.py", "lmo_serve", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(server)
        wait_for_http(f"{self.url}/healthz", server)
        return self

    def key(self, scopes: list[str]) -> str:
        out = self.shell(SEED.replace("SCOPES", repr(scopes)))
        return next(line[4:] for line in out.splitlines() if line.startswith("KEY="))

    def shell(self, code: str) -> str:
        """Run ``code`` in a ``manage.py shell`` of its own (another process); its output."""
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, made once for the module; each server gets a copy."""
    path = tmp_path_factory.mktemp("template") / "lmo.sqlite3"
    env = {**clean_environ(), "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return path


@contextmanager
def running_lmo(
    tmp_path: Path, request: pytest.FixtureRequest, extra: dict[str, str] | None = None
) -> Iterator[LiveLMO]:
    """A live LMO (and its worker in the scaled mode) for one test or module."""
    env = {
        **clean_environ(),
        "LMO_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
        **(extra or {}),
    }
    worker = None
    if settings.LMO_SCALED:
        from tests.conftest import start_worker, test_database_url

        env.update(DATABASE_URL=test_database_url(), REDIS_URL=str(settings.REDIS_URL))
        worker = start_worker({k: v for k, v in env.items() if k.startswith("LMO_")})
    else:
        database = tmp_path / "lmo.sqlite3"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), database)
        env["DATABASE_URL"] = f"sqlite:///{database}"
    live = LiveLMO(env, tmp_path).start()
    try:
        yield live
    finally:
        live.stop()
        if worker is not None:
            from tests.conftest import stop_worker

            stop_worker(worker)


COMPUTER = """
from agent_bridge.actions import create_token
from agent_bridge.models import Agent
from lmo.accounts.models import User
agent = Agent.objects.create(owner=User.objects.get(email="ann@example.com"), name="Studio")
print("TOKEN=" + create_token(agent=agent).raw)
"""

# Wait for the permission request the API's run opened; ann's signed-in (MFA-verified)
# browser session, to answer it from the page as she would.
PENDING = """
import time
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from lmo.accounts.models import User
from lmo.accounts.sessions import mark_login
from permissions.models import PermissionRequest
ann = User.objects.get(email="ann@example.com")
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    request = PermissionRequest.objects.filter(owner=ann, status="pending").first()
    if request is not None:
        break
    time.sleep(0.2)
device = TOTPDevice.objects.filter(user=ann).first() or TOTPDevice.objects.create(
    user=ann, name="phone", confirmed=True)
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(ann.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = ann.get_session_auth_hash()
store[DEVICE_ID_SESSION_KEY] = device.persistent_id
mark_login(store)
store.create()
print(f"COMMAND={request.target}.{request.action} REQUEST={request.pk} SESSION={store.session_key}")
"""


def decide_in_the_page(lmo: LiveLMO, choice: str) -> str:
    """Answer the pending request from LMO's page, as the user's browser would."""
    import httpx

    found = dict(part.split("=", 1) for part in lmo.shell(PENDING).split()[-3:])
    with httpx.Client(base_url=lmo.url, cookies={"sessionid": found["SESSION"]}) as browser:
        browser.get("/settings/permissions/").raise_for_status()
        answered = browser.post(
            f"/permissions/requests/{found['REQUEST']}/decide/",
            data={"choice": choice},
            headers={"X-CSRFToken": browser.cookies["csrftoken"], "Origin": lmo.url},
        )
        assert answered.status_code in (200, 302), answered.text[:500]
    return found["COMMAND"]
