from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from lmo.accounts.models import BackupCodeDevice, User
from tests.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db


def _sign_up_and_confirm_email(client: Client, email: str) -> None:
    response = client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", str(mail.outbox[0].body), re.MULTILINE)
    assert code, mail.outbox[0].body
    response = client.post(response["Location"], {"code": code.group(1)})
    assert response.status_code == 302


def test_sign_up_enrol_totp_then_log_in_again_with_a_code(client: Client) -> None:
    _sign_up_and_confirm_email(client, "dana@example.com")

    # MFA is required: every page leads to the set-up page until an app is enrolled.
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/mfa/setup/")
    page = client.get("/account/mfa/setup/")
    assert b"<svg" in page.content and b"totp-secret" in page.content
    device = TOTPDevice.objects.get(user__email="dana@example.com", confirmed=False)

    response = client.post(
        "/account/mfa/setup/", {"code": "000000" if totp_code(device) != "000000" else "111111"}
    )
    assert b"That code is not valid" in response.content
    device.refresh_from_db()
    device.throttle_reset()

    response = client.post("/account/mfa/setup/", {"code": totp_code(device)})
    assert response.status_code == 302
    codes_page = client.get(response["Location"])
    codes = re.findall(rb"<code>([a-z0-9-]{14})</code>", codes_page.content)
    assert len(codes) == 10
    # Shown once only.
    assert (
        re.findall(
            rb"<code>([a-z0-9-]{14})</code>", client.get("/account/mfa/backup-codes/").content
        )
        == []
    )
    assert client.get("/").status_code == 200

    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302

    response = client.post("/accounts/login/", {"login": "dana@example.com", "password": PASSWORD})
    assert response.status_code == 302
    # Password alone is not enough.
    response = client.get("/")
    assert response["Location"].startswith("/account/mfa/verify/")
    assert client.get("/settings/security/")["Location"].startswith("/account/mfa/verify/")

    device.refresh_from_db()
    response = client.post(
        "/account/mfa/verify/",
        {"code": totp_code(device, offset_steps=1), "next": "/settings/security/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/security/"
    assert client.get("/settings/security/").status_code == 200


def test_a_totp_code_cannot_be_used_twice(client: Client, alice: User) -> None:
    device = TOTPDevice.objects.get(user=alice)
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    code = totp_code(device)
    assert client.post("/account/mfa/verify/", {"code": code}).status_code == 302

    second = Client()
    second.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    response = second.post("/account/mfa/verify/", {"code": code})
    assert response.status_code == 200
    assert b"That code is not valid" in response.content


def test_session_key_changes_when_the_second_factor_passes(client: Client, alice: User) -> None:
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    before = client.cookies["sessionid"].value
    client.post("/account/mfa/verify/", {"code": totp_code(TOTPDevice.objects.get(user=alice))})
    assert client.cookies["sessionid"].value != before


def test_backup_codes_are_stored_hashed(client: Client) -> None:
    _sign_up_and_confirm_email(client, "erin@example.com")
    client.get("/account/mfa/setup/")
    device = TOTPDevice.objects.get(user__email="erin@example.com")
    response = client.post("/account/mfa/setup/", {"code": totp_code(device)})
    page = client.get(response["Location"]).content
    shown = [c.decode() for c in re.findall(rb"<code>([a-z0-9-]{14})</code>", page)]
    stored = list(
        BackupCodeDevice.objects.get(user__email="erin@example.com").codes.values_list(
            "digest", flat=True
        )
    )
    assert len(stored) == 10
    for code in shown:
        assert code not in stored and code.replace("-", "") not in stored
