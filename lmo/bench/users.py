"""A throw-away user with an MFA-verified session, for driving real sockets in benchmarks."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from lmo.accounts.sessions import mark_login


@dataclass(frozen=True)
class BenchUser:
    user_id: int
    session_key: str

    def cookie_header(self) -> str:
        return f"{settings.SESSION_COOKIE_NAME}={self.session_key}"


@contextmanager
def verified_user() -> Iterator[BenchUser]:
    User = get_user_model()
    email = f"bench-{secrets.token_hex(6)}@lmo.invalid"
    user = User.objects.create_user(username=email, email=email, password=secrets.token_urlsafe(24))
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    mark_login(store)
    store.create()
    try:
        yield BenchUser(user_id=user.pk, session_key=store.session_key or "")
    finally:
        store.delete()
        user.delete()
