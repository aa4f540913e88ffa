from __future__ import annotations

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from lmo.accounts.models import User
from tests.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db


def _signed_in(user: User, step: int = 0) -> Client:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post(
        "/account/mfa/verify/",
        {"code": totp_code(TOTPDevice.objects.get(user=user), offset_steps=step)},
    )
    return client


def test_login_rotates_the_session_key(client: Client, alice: User) -> None:
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert client.cookies["sessionid"].value != "attacker-chosen-session-id"


def test_idle_sessions_are_signed_out(alice: User) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = _signed_in(alice)
        assert client.get("/").status_code == 200
        clock.shift(settings.LMO_SESSION_IDLE_TIMEOUT - 120)
        assert client.get("/").status_code == 200  # activity keeps it alive
        clock.shift(settings.LMO_SESSION_IDLE_TIMEOUT - 120)
        assert client.get("/").status_code == 200
        clock.shift(settings.LMO_SESSION_IDLE_TIMEOUT + 1)
        response = client.get("/")
        assert response["Location"].startswith("/accounts/login/")
        assert "inactivity" in client.get(response["Location"]).content.decode()


def test_sessions_end_at_their_absolute_lifetime_even_when_active(alice: User) -> None:
    step = settings.LMO_SESSION_IDLE_TIMEOUT // 2
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = _signed_in(alice)
        elapsed = 0
        while elapsed + step < settings.LMO_SESSION_MAX_AGE:
            clock.shift(step)
            elapsed += step
            assert client.get("/").status_code == 200
        clock.shift(step + 1)
        assert client.get("/")["Location"].startswith("/accounts/login/")


def test_sign_out_other_sessions(alice: User) -> None:
    mine, other = _signed_in(alice), _signed_in(alice, step=1)  # a code is single-use
    assert other.get("/").status_code == 200
    mine.post("/accounts/sessions/")
    assert mine.get("/").status_code == 200
    assert other.get("/")["Location"].startswith("/accounts/login/")
