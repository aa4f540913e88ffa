"""The OAuth actions for MCP clients (lmo.mcp_server.oauth), in process: consent once,
single-use codes, rotating refresh tokens, revocation, audience, and only digests stored."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client as Browser
from django.utils import timezone
from mcp.server.auth.provider import AuthorizationParams, AuthorizeError, TokenError
from mcp.shared.auth import OAuthClientInformationFull
from pydantic import AnyUrl

from lmo.api.keys import revoke_api_key
from lmo.mcp_server import oauth
from lmo.mcp_server.credentials import resource_url
from lmo.mcp_server.models import (
    AuthorizationCode,
    AuthorizationRequest,
    McpConnection,
    OAuthClient,
    OAuthToken,
)
from lmo.organisations.access import current_membership

REDIRECT = "http://127.0.0.1:9/cb"


@pytest.fixture
def app(db: Any) -> OAuthClientInformationFull:
    info = OAuthClientInformationFull(
        client_id="c1",
        client_name="Test app",
        redirect_uris=[AnyUrl(REDIRECT)],
        token_endpoint_auth_method="none",
        grant_types=["authorization_code", "refresh_token"],
    )
    oauth.register_client(info)
    client = oauth.get_client("c1")
    assert client is not None
    return client


def _params(**changes: Any) -> AuthorizationParams:
    values: dict[str, Any] = {
        "state": "s1",
        "scopes": ["mcp"],
        "code_challenge": "x" * 43,
        "redirect_uri": AnyUrl(REDIRECT),
        "redirect_uri_provided_explicitly": True,
        "resource": None,
        **changes,
    }
    return AuthorizationParams(**values)


def _consent(app: OAuthClientInformationFull) -> str:
    return oauth.open_consent(app, _params()).rstrip("/").rsplit("/", 1)[1]


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def _connect(app: OAuthClientInformationFull, user: Any) -> tuple[str, Any]:
    """Allowed: the code, and its tokens."""
    back = oauth.answer_consent(membership=current_membership(user), pk=_consent(app), allow=True)
    code = _query(back)["code"]
    loaded = oauth.load_code(app, code)
    assert loaded is not None
    return code, oauth.exchange_code(app, loaded)


def test_a_consent_is_answered_once(app: OAuthClientInformationFull, alice: Any) -> None:
    pk = _consent(app)
    back = oauth.answer_consent(membership=current_membership(alice), pk=pk, allow=True)
    assert back.startswith(REDIRECT) and _query(back)["state"] == "s1"
    connection = McpConnection.objects.get()
    assert connection.key.user == alice and connection.key.scopes == ["mcp"]
    assert connection.key.name == "MCP: Test app"
    with pytest.raises(oauth.ConsentError, match="already answered"):
        oauth.answer_consent(membership=current_membership(alice), pk=pk, allow=True)

    late = _consent(app)
    AuthorizationRequest.objects.filter(pk=late).update(expires_at=timezone.now())
    with pytest.raises(oauth.ConsentError, match="expired"):
        oauth.answer_consent(membership=current_membership(alice), pk=late, allow=True)

    denied = oauth.answer_consent(
        membership=current_membership(alice), pk=_consent(app), allow=False
    )
    assert _query(denied) == {
        "error": "access_denied",
        "error_description": "The user did not allow it.",
        "state": "s1",
    }
    assert McpConnection.objects.count() == 1


def test_only_this_resource_and_scope(app: OAuthClientInformationFull) -> None:
    with pytest.raises(AuthorizeError):
        oauth.open_consent(app, _params(resource="http://other.example/mcp"))
    with pytest.raises(AuthorizeError):
        oauth.open_consent(app, _params(scopes=["chat"]))
    assert oauth.open_consent(app, _params(resource=resource_url()))


def test_a_code_is_single_use_and_the_clients_own(
    app: OAuthClientInformationFull, alice: Any
) -> None:
    code, tokens = _connect(app, alice)
    assert tokens.access_token.startswith("lmoat_") and tokens.refresh_token
    assert tokens.refresh_token.startswith("lmort_") and tokens.scope == "mcp"
    again = oauth.load_code(app, code)
    assert again is None  # used up
    other = app.model_copy(update={"client_id": "c2"})
    back = oauth.answer_consent(membership=current_membership(alice), pk=_consent(app), allow=True)
    assert oauth.load_code(other, _query(back)["code"]) is None
    loaded = oauth.load_code(app, _query(back)["code"])
    assert loaded is not None
    issued = oauth.exchange_code(app, loaded)
    assert oauth.access_token(issued.access_token) is not None
    with pytest.raises(TokenError):
        oauth.exchange_code(app, loaded)
    # A replayed code is a stolen one: what it issued is revoked.
    assert oauth.access_token(issued.access_token) is None
    with pytest.raises(TokenError):
        oauth.exchange_code(other, loaded)  # another client's attempt
    late = oauth.answer_consent(membership=current_membership(alice), pk=_consent(app), allow=True)
    expiring = oauth.load_code(app, _query(late)["code"])
    assert expiring is not None
    AuthorizationCode.objects.filter(used_at__isnull=True).update(expires_at=timezone.now())
    with pytest.raises(TokenError, match="expired"):
        oauth.exchange_code(app, expiring)


def test_access_follows_the_key_and_the_clock(app: OAuthClientInformationFull, alice: Any) -> None:
    _, tokens = _connect(app, alice)
    verified = oauth.access_token(tokens.access_token)
    connection = McpConnection.objects.get()
    assert verified is not None and verified.resource == resource_url()
    assert verified.key_id == connection.key_id and verified.client_name.startswith("Test app")
    OAuthToken.objects.filter(kind="access").update(expires_at=timezone.now())
    assert oauth.access_token(tokens.access_token) is None
    OAuthToken.objects.filter(kind="access").update(expires_at=timezone.now() + timedelta(hours=1))
    assert oauth.access_token(tokens.access_token) is not None
    revoke_api_key(user=alice, key_id=connection.key_id)
    assert oauth.access_token(tokens.access_token) is None


def test_a_refresh_token_rotates(app: OAuthClientInformationFull, alice: Any) -> None:
    _, tokens = _connect(app, alice)
    loaded = oauth.load_refresh(app, tokens.refresh_token)
    assert loaded is not None
    fresh = oauth.exchange_refresh(app, loaded, [])
    assert fresh.access_token != tokens.access_token
    assert oauth.load_refresh(app, tokens.refresh_token) is None
    with pytest.raises(TokenError):
        oauth.exchange_refresh(app, loaded, [])
    assert oauth.access_token(fresh.access_token) is not None
    oauth.revoke_token(fresh.access_token)  # RFC 7009: the whole connection
    assert oauth.access_token(fresh.access_token) is None
    assert fresh.refresh_token and oauth.load_refresh(app, fresh.refresh_token) is None


def test_only_digests_are_stored(app: OAuthClientInformationFull, alice: Any) -> None:
    code, tokens = _connect(app, alice)
    for raw, model in (
        (tokens.access_token, OAuthToken),
        (tokens.refresh_token, OAuthToken),
        (code, AuthorizationCode),
    ):
        assert raw and not model.objects.filter(digest=raw).exists()
        assert model.objects.filter(digest=hashlib.sha256(raw.encode()).hexdigest()).exists()

    oauth.register_client(
        OAuthClientInformationFull(
            client_id="c3",
            client_name="Confidential",
            client_secret="s3cret",
            redirect_uris=[AnyUrl(REDIRECT)],
            token_endpoint_auth_method="client_secret_post",
        )
    )
    stored = OAuthClient.objects.get(client_id="c3")
    assert stored.secret and "s3cret" not in stored.secret and "s3cret" not in str(stored.info)
    assert (oauth.get_client("c3") or app).client_secret == "s3cret"


def test_the_consent_page_names_the_client_and_its_redirect(
    app: OAuthClientInformationFull, alice_client: Browser
) -> None:
    url = oauth.open_consent(app, _params())
    path = urlparse(url).path
    assert Browser().get(path).status_code == 302  # signed out: to the sign-in first
    page = alice_client.get(path)
    assert page.status_code == 200
    assert b"Test app" in page.content and REDIRECT.encode() in page.content
    assert alice_client.post(path, {"choice": "maybe"}).status_code == 400
    answered = alice_client.post(path, {"choice": "allow"})
    assert answered.status_code == 302 and answered["Location"].startswith(REDIRECT + "?code=")
    assert alice_client.post(path, {"choice": "allow"}).status_code == 400  # once
