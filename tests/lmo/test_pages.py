"""Every page: anonymous users go to sign-in, password-only sessions to the code page."""

from __future__ import annotations

import pytest
from django.test import Client

from lmo.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/chat/",
    "/dashboard/",
    "/notifications/",
    "/settings/security/",
    "/settings/permissions/",
    "/settings/apps/",
    "/settings/tracking/",
    "/settings/notifications/",
    "/account/mfa/backup-codes/",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", PAGES)
def test_password_only_sessions_must_enter_a_code(client: Client, alice: User, url: str) -> None:
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/mfa/verify/")


@pytest.mark.parametrize("url", PAGES)
def test_verified_users_see_the_page_in_the_shell(alice_client: Client, url: str) -> None:
    response = alice_client.get(url)
    assert response.status_code == 200
    assert b'ws-connect="/ws/live/"' in response.content
    assert b'id="live-status"' in response.content


def test_security_tab_shows_only_my_sessions(alice_client: Client, bob: User) -> None:
    Client().post("/accounts/login/", {"login": bob.email, "password": PASSWORD})
    response = alice_client.get("/settings/security/")
    assert response.context["user_sessions"]
    assert all(s.user_id == response.context["user"].pk for s in response.context["user_sessions"])


def test_settings_tabs_render_as_fragments_for_htmx(alice_client: Client) -> None:
    response = alice_client.get("/settings/apps/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="settings-body"' in response.content


def test_unknown_settings_tab_is_404(alice_client: Client) -> None:
    assert alice_client.get("/settings/nope/").status_code == 404


def test_with_mfa_optional_a_user_without_an_app_gets_in(client: Client, settings) -> None:
    from tests.conftest import make_user

    settings.LMO_REQUIRE_MFA = False
    user = make_user("frank@example.com", mfa=False)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.get("/").status_code == 200


def test_mfa_required_forces_enrolment_before_any_page(client: Client) -> None:
    from tests.conftest import make_user

    user = make_user("gina@example.com", mfa=False)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    for url in PAGES[:5]:
        assert client.get(url)["Location"].startswith("/account/mfa/setup/")
    assert client.get("/account/mfa/setup/").status_code == 200


def test_sign_in_page_has_no_cdn_assets(client: Client) -> None:
    content = client.get("/accounts/login/").content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in content
    assert "cdn" not in content.lower() and "unpkg" not in content
