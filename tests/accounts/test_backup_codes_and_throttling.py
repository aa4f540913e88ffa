from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from lmo.accounts.models import BackupCodeDevice, User
from tests.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db


def _password_only(user: User) -> Client:
    client = Client()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return client


def test_a_backup_code_works_once(alice: User) -> None:
    codes = BackupCodeDevice.objects.create(user=alice, name="Backup codes").replace_codes()
    first = _password_only(alice)
    assert first.post("/account/mfa/verify/", {"code": codes[0].upper()}).status_code == 302
    assert first.get("/").status_code == 200

    again = _password_only(alice)
    response = again.post("/account/mfa/verify/", {"code": codes[0]})
    assert response.status_code == 200
    assert b"That code is not valid" in response.content
    assert BackupCodeDevice.objects.get(user=alice).remaining() == 9


def test_making_new_backup_codes_voids_the_old_ones(alice: User, login_verified) -> None:
    old = BackupCodeDevice.objects.create(user=alice, name="Backup codes").replace_codes()
    client = login_verified(Client(), alice)
    # Changing the second factor asks for the password again first.
    response = client.post("/account/mfa/backup-codes/new/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    response = client.post("/account/mfa/backup-codes/new/")
    assert response["Location"] == "/account/mfa/backup-codes/"
    new = re.findall(rb"<code>([a-z0-9-]{14})</code>", client.get(response["Location"]).content)
    assert len(new) == 10
    other = _password_only(alice)
    assert b"That code is not valid" in other.post("/account/mfa/verify/", {"code": old[1]}).content


def test_wrong_codes_are_throttled_and_the_user_is_told(alice: User) -> None:
    device = TOTPDevice.objects.get(user=alice)
    client = _password_only(alice)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post("/account/mfa/verify/", {"code": wrong})
        client.post("/account/mfa/verify/", {"code": wrong})  # refused: 1 s wait after the first
        response = client.post("/account/mfa/verify/", {"code": totp_code(device)})
        assert response.status_code == 200
        assert b"Too many wrong codes" in response.content
        assert re.search(rb"wait \d+ seconds", response.content)
        assert client.get("/")["Location"].startswith("/account/mfa/verify/")
        clock.shift(5)
        response = client.post("/account/mfa/verify/", {"code": totp_code(device)})
        assert response.status_code == 302


def _waits(client: Client, wrong: str, clock: time_machine.Traveller, rounds: int) -> list[int]:
    """The wait the page asks for after each wrong code, each tried once the last wait passed."""
    waits = []
    for _ in range(rounds):
        assert (
            b"That code is not valid"
            in client.post("/account/mfa/verify/", {"code": wrong}).content
        )
        told = client.post("/account/mfa/verify/", {"code": wrong}).content
        wait = int(re.search(rb"wait (\d+) seconds", told).group(1))  # type: ignore[union-attr]
        waits.append(wait)
        clock.shift(wait)
    return waits


def test_second_factor_waits_escalate_per_device_and_reset_on_success(alice: User) -> None:
    device = TOTPDevice.objects.get(user=alice)
    client = _password_only(alice)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert _waits(client, wrong, clock, 6) == [1, 2, 4, 8, 16, 32]
        assert client.post("/account/mfa/verify/", {"code": totp_code(device)}).status_code == 302
        assert _waits(_password_only(alice), wrong, clock, 2) == [1, 2]  # reset by the success


def test_backup_code_waits_escalate_too(alice: User) -> None:
    BackupCodeDevice.objects.create(user=alice, name="Backup codes").replace_codes()
    client = _password_only(alice)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert _waits(client, "aaaa-bbbb-cccc", clock, 5) == [1, 2, 4, 8, 16]
