"""A sign-in while signed in elsewhere (or with a backup code) notifies the user, and
"Sign that session out" from the notification ends it."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from lmo.accounts.models import BackupCodeDevice, User
from notifications.models import Category, Notification
from tests.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _sign_in(user: User, code: str, agent: str = "Intruder/1.0") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.post("/account/mfa/verify/", {"code": code}).status_code == 302
    return client


def test_the_only_session_is_not_notified(alice: User) -> None:
    _sign_in(alice, totp_code(TOTPDevice.objects.get(user=alice)))
    assert not Notification.objects.exists()


def test_a_second_sign_in_can_be_signed_out_from_the_first(alice: User) -> None:
    device = TOTPDevice.objects.get(user=alice)
    mine = _sign_in(alice, totp_code(device), agent="Mine/1.0")
    theirs = _sign_in(alice, totp_code(device, offset_steps=1))
    note = Notification.objects.get(owner=alice)
    assert note.category == Category.SECURITY and "Intruder/1.0" in note.body
    assert theirs.get("/chat/").status_code == 200

    response = mine.post(f"/notifications/{note.pk}/act/", {"key": "end"}, headers=HTMX)
    assert "That session is signed out" in response.content.decode()
    assert theirs.get("/chat/").status_code == 302  # back to sign-in
    assert mine.get("/chat/").status_code == 200


def test_a_backup_code_sign_in_says_how_many_are_left(alice: User) -> None:
    codes = BackupCodeDevice.objects.create(user=alice, name="Backup codes").replace_codes()
    _sign_in(alice, codes[0])
    note = Notification.objects.get(owner=alice)
    assert (
        note.title == "A backup code was used to sign in" and "9 backup codes are left" in note.body
    )


def test_another_users_session_cannot_be_ended(alice: User, bob: User) -> None:
    from notifications.handlers import ActionRefused, get_handler

    device = TOTPDevice.objects.get(user=alice)
    alices = _sign_in(alice, totp_code(device))
    handler = get_handler("accounts.end_session")
    assert handler is not None
    with pytest.raises(ActionRefused):
        handler(bob, {"session_key": alices.session.session_key})
    assert alices.get("/chat/").status_code == 200
