"""API keys: made in Settings → API, shown once, stored hashed, refused when expired,
revoked, out of scope, or sent as a cookie session instead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lmo.api.models import ApiKey, RequestLog, key_digest
from lmo.organisations.actions import create_organisation
from lmo.organisations.models import Membership
from tests.api.conftest import ApiClient, make_key

pytestmark = pytest.mark.django_db


def _create(client: Client, **fields: object) -> str:
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    data = {"name": "CI robot", "scopes": ["chat", "activities:read"], "expires": expires}
    data.update(fields)  # type: ignore[arg-type]
    return client.post("/api-keys/create/", data).content.decode()


def test_a_key_is_shown_once_and_stored_hashed(alice, alice_client) -> None:
    html = _create(alice_client)
    key = ApiKey.objects.get()
    raw = next(w for w in html.split('<code class="secret">')[1:]).split("</code>")[0]
    assert raw.startswith(f"lmo_{key.prefix}_") and len(raw) > 40
    assert key.digest == key_digest(raw) and raw not in (key.digest, key.prefix)
    assert key.scopes == ["activities:read", "chat"]
    assert raw not in alice_client.get("/settings/api/").content.decode()
    me = ApiClient(raw).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["user"] == "alice@example.com" and me.json()["prefix"] == key.prefix


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires": ""}, "This field is required"),
        ({"expires": (timezone.localdate() + timedelta(days=400)).isoformat()}, "one year"),
        ({"expires": timezone.localdate().isoformat()}, "after today"),
        ({"scopes": []}, "This field is required"),
        ({"scopes": ["root"]}, "Select a valid choice"),
    ],
)
def test_a_key_needs_scopes_and_an_expiry_within_a_year(alice_client, fields, message) -> None:
    html = _create(alice_client, **fields)
    assert message in html
    assert not ApiKey.objects.exists()


def test_revoked_expired_unknown_and_missing_keys_get_401_problems(alice, alice_client) -> None:
    raw = make_key(alice)
    assert ApiClient(raw).get("/api/v1/me").status_code == 200
    key = ApiKey.objects.get()
    alice_client.post(f"/api-keys/{key.pk}/revoke/")
    response = ApiClient(raw).get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    problem = response.json()
    assert problem["status"] == 401 and "Settings → API" in problem["detail"]

    expired = make_key(alice)
    ApiKey.objects.filter(revoked_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert ApiClient(expired).get("/api/v1/me").status_code == 401
    assert ApiClient("lmo_deadbeef_nothing").get("/api/v1/me").status_code == 401
    assert Client().get("/api/v1/me").status_code == 401


def test_a_signed_in_browser_session_is_not_an_api_credential(alice_client) -> None:
    response = alice_client.get("/api/v1/me")
    assert response.status_code == 401
    response = alice_client.post("/api/v1/conversations", {}, content_type="application/json")
    assert response.status_code == 401


def test_a_key_stops_working_when_its_user_leaves_the_organisation(alice, bob) -> None:
    organisation = create_organisation(user=alice, name="Acme")
    membership = Membership.objects.create(organisation=organisation, user=bob)
    from lmo.organisations.actions import switch_organisation

    switch_organisation(membership=membership)
    raw = make_key(bob)
    assert ApiClient(raw).get("/api/v1/me").json()["organisation"] == "Acme"
    membership.delete()
    assert ApiClient(raw).get("/api/v1/me").status_code == 401
    bob.is_active = False
    bob.save()


def test_an_inactive_user_s_key_is_refused(alice) -> None:
    raw = make_key(alice)
    alice.is_active = False
    alice.save()
    assert ApiClient(raw).get("/api/v1/me").status_code == 401


def test_a_key_without_the_scope_gets_403(alice) -> None:
    client = ApiClient(make_key(alice, ["activities:read"]))
    response = client.get("/api/v1/conversations")
    assert response.status_code == 403
    assert "'chat' scope" in response.json()["detail"]
    assert client.get("/api/v1/activities").status_code == 200


def test_another_users_key_cannot_be_revoked(alice, bob, login_verified) -> None:
    make_key(alice)
    key = ApiKey.objects.get()
    response = login_verified(Client(), bob).post(f"/api-keys/{key.pk}/revoke/")
    assert response.status_code == 404
    assert ApiKey.objects.get().revoked_at is None


def test_every_request_is_logged_without_secrets_and_shown_in_settings(alice, alice_client) -> None:
    raw = make_key(alice)
    client = ApiClient(raw)
    client.get("/api/v1/me", headers={"User-Agent": "robot/1.0"})
    client.get("/api/v1/conversations/999999")
    entries = list(RequestLog.objects.order_by("at"))
    assert [(e.method, e.path, e.status) for e in entries] == [
        ("GET", "/api/v1/me", 200),
        ("GET", "/api/v1/conversations/999999", 404),
    ]
    key = ApiKey.objects.get()
    assert entries[0].key_prefix == key.prefix and entries[0].user_agent == "robot/1.0"
    assert entries[0].client_address == "127.0.0.1" and entries[0].latency_ms >= 0
    assert all(raw not in str(vars(e)) for e in entries)
    page = alice_client.get("/settings/api/").content.decode()
    assert "/api/v1/conversations/999999" in page and "from 127.0.0.1" in page


def test_old_request_log_rows_are_purged(alice, settings) -> None:
    from lmo.api.logs import purge_request_log

    settings.LMO_REQUEST_LOG_DAYS = 7
    ApiClient(make_key(alice)).get("/api/v1/me")
    RequestLog.objects.update(at=timezone.now() - timedelta(days=8))
    ApiClient(make_key(alice)).get("/api/v1/me")
    assert purge_request_log() == 1
    assert RequestLog.objects.count() == 1
