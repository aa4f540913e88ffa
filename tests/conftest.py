"""Shared fixtures: alice and bob are users, charlie is the outsider who must get a 404."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from lmo.accounts.models import User

PASSWORD = "correct horse battery staple 42"
ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Scaled-mode tests need REDIS_URL and a PostgreSQL DATABASE_URL. Where they are not
    set they are skipped, saying so, unless LMO_TEST_REQUIRE_SCALED=1 (CI), where the test
    fails instead."""
    require = os.environ.get("LMO_TEST_REQUIRE_SCALED") == "1"
    if settings.LMO_SCALED and settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    reason = (
        "scaled mode not configured: make test runs these when LMO_TEST_DATABASE_URL "
        "(PostgreSQL) and LMO_TEST_REDIS_URL are set"
    )
    for item in items:
        if item.get_closest_marker("scaled"):
            if require:
                item.add_marker(pytest.mark.usefixtures("_scaled_mode_missing"))
            else:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def _scaled_mode_missing() -> None:
    pytest.fail(
        "LMO_TEST_REQUIRE_SCALED=1 but this run is not in the scaled mode (PostgreSQL + Redis)."
    )


def test_database_url() -> str:
    """DATABASE_URL of the database this test run uses (pytest-django's test_ copy)."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(
    extra_env: dict[str, str] | None = None, *, queues: str = "high,default", concurrency: int = 4
) -> subprocess.Popen[bytes]:
    """A real Celery worker process on this run's Redis and test database."""
    env = {**os.environ, "DATABASE_URL": test_database_url(), **(extra_env or {})}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lmo",
            "worker",
            "-Q",
            queues,
            "--pool",
            "threads",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    from lmo.tasks import ping

    try:
        ping.apply_async(queue=queues.split(",")[-1]).get(timeout=30)
    except Exception:
        worker.kill()
        raise
    return worker


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(20)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.fixture
def task_worker() -> Iterator[None]:
    """A real Celery worker process in the scaled mode (the embedded mode needs none)."""
    if not settings.LMO_SCALED:
        yield
        return
    worker = start_worker()
    try:
        yield
    finally:
        stop_worker(worker)


def clean_environ() -> dict[str, str]:
    """This process's environment without any LMO configuration (for child servers)."""
    prefixes = ("LMO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def totp_code(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The code an authenticator app would show now (or ``offset_steps`` steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def make_user(email: str, *, mfa: bool = True, staff: bool = False) -> User:
    user = User.objects.create_user(
        username=email, email=email, password=PASSWORD, is_staff=staff, is_superuser=staff
    )
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if mfa:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


@pytest.fixture
def alice(db: Any) -> User:
    return make_user("alice@example.com")


@pytest.fixture
def bob(db: Any) -> User:
    return make_user("bob@example.com")


@pytest.fixture
def charlie(db: Any) -> User:
    return make_user("charlie@example.com")


def verified_session_key(user: User) -> str:
    """The key of a new session of ``user`` that passed the second factor (for sockets)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return session.session_key or ""


@pytest.fixture
def login_verified() -> Callable[[Client, User], Client]:
    """Log ``user`` into ``client`` with a session that passed the second factor."""

    def _login(client: Client, user: User) -> Client:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return _login


@pytest.fixture
def alice_client(
    client: Client, alice: User, login_verified: Callable[[Client, User], Client]
) -> Client:
    return login_verified(client, alice)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    if settings.LMO_SCALED:
        # Scaled mode shares Redis with Celery and the channel layer: drop only cache keys.
        client = cache._cache.get_client()  # type: ignore[attr-defined]
        for key in client.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*"):
            client.delete(key)
        for key in client.scan_iter("LIMITS:*"):  # the API's rate-limit windows
            client.delete(key)
    else:
        from lmo.api.ratelimit import _limiter

        cache.clear()
        _limiter("memory://").storage.reset()
