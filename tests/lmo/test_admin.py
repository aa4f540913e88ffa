from __future__ import annotations

import pytest
from django.test import Client

from lmo.accounts.models import User
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db) -> User:
    return make_user("ops@example.com", staff=True)


def test_admin_sends_anonymous_visitors_to_the_app_sign_in(client: Client) -> None:
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_admin_is_refused_to_a_password_only_session(client: Client, operator: User) -> None:
    client.post("/accounts/login/", {"login": operator.email, "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get("/admin/accounts/user/").status_code == 302
    assert client.get("/admin/login/")["Location"].startswith("/account/mfa/verify/")


def test_admin_is_refused_to_staff_without_mfa_even_when_mfa_is_optional(
    client: Client, settings
) -> None:
    settings.LMO_REQUIRE_MFA = False
    user = make_user("ops2@example.com", staff=True, mfa=False)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/")["Location"].startswith("/account/mfa/setup/")


def test_admin_opens_for_verified_staff(client: Client, operator: User, login_verified) -> None:
    login_verified(client, operator)
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/accounts/user/?q=ops")
    assert response.status_code == 200
    assert b"ops@example.com" in response.content


def test_admin_is_forbidden_to_verified_non_staff(
    client: Client, alice: User, login_verified
) -> None:
    login_verified(client, alice)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/").status_code == 403


def test_admin_login_goes_through_rate_limited_sign_in(client: Client, operator: User) -> None:
    for _ in range(6):
        client.post("/accounts/login/", {"login": operator.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": operator.email, "password": PASSWORD})
    assert response.status_code == 429 or b"Too many failed login attempts" in response.content
