"""The OAuth 2.1 authorization server's actions for MCP clients (the SDK's handlers do the
protocol: metadata, PKCE checks, redirect matching, registration; ``provider`` calls
these). Every write is here; codes and tokens are random, single-purpose, stored as
digests, bound to this server's ``/mcp`` resource and to the connection's key."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from mcp.server.auth.provider import (
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    RefreshToken,
    TokenError,
    construct_redirect_uri,
)
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken
from pydantic import AnyUrl

from lmo.api.keys import MAX_LIFETIME, create_api_key
from lmo.api.models import ApiKey, Scope
from lmo.crypto import decrypt, encrypt
from lmo.mcp_server import models as m
from lmo.mcp_server.credentials import KeyToken, resource_url
from lmo.organisations.models import Membership

CONSENT_MINUTES = 10
CODE_SECONDS = 60
ACCESS_SECONDS = 3600
REFRESH_DAYS = 30
SCOPES = [Scope.MCP.value]
ACCESS_PREFIX, REFRESH_PREFIX, CODE_PREFIX = "lmoat_", "lmort_", "lmoac_"


class ConsentError(ValueError):
    """A consent that cannot be given (gone, answered, expired); the message says why."""


def _raw(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


# --- clients ---------------------------------------------------------------------------
def register_client(info: OAuthClientInformationFull) -> None:
    public = info.model_dump(mode="json", exclude={"client_secret"}, exclude_none=True)
    m.OAuthClient.objects.create(
        client_id=info.client_id or "",
        secret=encrypt(info.client_secret) if info.client_secret else "",
        name=(info.client_name or "An MCP client")[:200],
        info=public,
    )


def get_client(client_id: str) -> OAuthClientInformationFull | None:
    client = m.OAuthClient.objects.filter(client_id=client_id[:64]).first()
    if client is None:
        return None
    secret = decrypt(client.secret) if client.secret else None
    return OAuthClientInformationFull.model_validate({**client.info, "client_secret": secret})


# --- consent ---------------------------------------------------------------------------
def open_consent(client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
    """Record the request; the URL of the consent page the user is sent to."""
    resource = params.resource or resource_url()
    if resource.rstrip("/") != resource_url().rstrip("/"):
        raise AuthorizeError(
            "invalid_request", f"This server issues tokens for {resource_url()} only."
        )
    scopes = params.scopes or SCOPES
    if set(scopes) - set(SCOPES):
        raise AuthorizeError("invalid_scope", f"The only scope is {SCOPES[0]!r}.")
    stored = m.OAuthClient.objects.get(client_id=client.client_id)
    request = m.AuthorizationRequest.objects.create(
        client=stored,
        redirect_uri=str(params.redirect_uri),
        redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
        state=(params.state or "")[:500],
        code_challenge=params.code_challenge[:128],
        scopes=scopes,
        resource=resource_url(),
        expires_at=timezone.now() + timedelta(minutes=CONSENT_MINUTES),
    )
    path = reverse("mcp_server:consent", args=[request.pk])
    return str(settings.LMO_PUBLIC_URL).rstrip("/") + path


def pending_consent(pk: Any) -> m.AuthorizationRequest:
    request = m.AuthorizationRequest.objects.select_related("client").filter(pk=pk).first()
    if request is None:
        raise ConsentError("This connection request does not exist. Start again from your app.")
    if request.answered_at is not None:
        raise ConsentError("This connection request was already answered.")
    if request.expires_at <= timezone.now():
        raise ConsentError("This connection request expired. Start again from your app.")
    return request


@transaction.atomic
def answer_consent(*, membership: Membership, pk: Any, allow: bool) -> str:
    """Allow (a connection with its own key, and a code) or deny; once. The URL to send
    the browser back to the client with."""
    request = pending_consent(pk)
    if not m.AuthorizationRequest.objects.filter(pk=pk, answered_at__isnull=True).update(
        answered_at=timezone.now()
    ):
        raise ConsentError("This connection request was already answered.")
    state = request.state or None
    if not allow:
        return construct_redirect_uri(
            request.redirect_uri,
            error="access_denied",
            error_description="The user did not allow it.",
            state=state,
        )
    key, _ = create_api_key(
        membership=membership,
        name=f"MCP: {request.client.name}"[:80],
        scopes=list(request.scopes),
        expires_at=timezone.now() + MAX_LIFETIME - timedelta(days=1),
    )
    connection = m.McpConnection.objects.create(
        key=key, client=request.client, redirect_uri=request.redirect_uri
    )
    code = _raw(CODE_PREFIX)
    m.AuthorizationCode.objects.create(
        digest=m.digest(code),
        connection=connection,
        code_challenge=request.code_challenge,
        redirect_uri=request.redirect_uri,
        redirect_uri_provided_explicitly=request.redirect_uri_provided_explicitly,
        scopes=request.scopes,
        resource=request.resource,
        expires_at=timezone.now() + timedelta(seconds=CODE_SECONDS),
    )
    return construct_redirect_uri(request.redirect_uri, code=code, state=state)


# --- codes and tokens ------------------------------------------------------------------
def load_code(client: OAuthClientInformationFull, raw: str) -> AuthorizationCode | None:
    code = (
        m.AuthorizationCode.objects.select_related("connection__client")
        .filter(digest=m.digest(raw), used_at__isnull=True)
        .first()
    )
    if code is None or code.connection.client.client_id != client.client_id:
        return None
    return AuthorizationCode(
        code=raw,
        scopes=list(code.scopes),
        expires_at=code.expires_at.timestamp(),
        client_id=client.client_id or "",
        code_challenge=code.code_challenge,
        redirect_uri=AnyUrl(code.redirect_uri),
        redirect_uri_provided_explicitly=code.redirect_uri_provided_explicitly,
        resource=code.resource,
        subject=str(code.connection.key.user_id),
    )


def _issue(connection: m.McpConnection, scopes: list[str], resource: str) -> OAuthToken:
    now = timezone.now()
    end = connection.key.expires_at
    access, refresh = _raw(ACCESS_PREFIX), _raw(REFRESH_PREFIX)
    access_until = min(now + timedelta(seconds=ACCESS_SECONDS), end)
    for raw, kind, until in (
        (access, m.OAuthToken.Kind.ACCESS, access_until),
        (refresh, m.OAuthToken.Kind.REFRESH, min(now + timedelta(days=REFRESH_DAYS), end)),
    ):
        m.OAuthToken.objects.create(
            digest=m.digest(raw),
            kind=kind,
            connection=connection,
            scopes=scopes,
            resource=resource,
            expires_at=until,
        )
    return OAuthToken(
        access_token=access,
        expires_in=max(1, int((access_until - now).total_seconds())),
        scope=" ".join(scopes),
        refresh_token=refresh,
    )


def exchange_code(client: OAuthClientInformationFull, code: AuthorizationCode) -> OAuthToken:
    """Once, by the client it was issued to, before it expires. A code presented again is
    a stolen or replayed one: every token of its connection is revoked (OAuth 2.1)."""
    stored = (
        m.AuthorizationCode.objects.select_related("connection__key", "connection__client")
        .filter(digest=m.digest(code.code))
        .first()
    )
    if stored is None or stored.connection.client.client_id != client.client_id:
        raise TokenError("invalid_grant", "The authorization code is not valid.")
    if stored.expires_at <= timezone.now():
        raise TokenError("invalid_grant", "The authorization code expired.")
    with transaction.atomic():
        taken = m.AuthorizationCode.objects.filter(pk=stored.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if taken:
            return _issue(stored.connection, list(stored.scopes), stored.resource)
    _revoke_connection(stored.connection_id)  # (committed: the refusal must not undo it)
    raise TokenError("invalid_grant", "The authorization code was already used.")


def _revoke_connection(connection_id: int) -> None:
    m.OAuthToken.objects.filter(connection_id=connection_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _live_token(raw: str, kind: str) -> m.OAuthToken | None:
    return (
        m.OAuthToken.objects.select_related("connection__client", "connection__key")
        .filter(
            digest=m.digest(raw),
            kind=kind,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            connection__key__in=ApiKey.objects.usable(),
        )
        .first()
    )


def load_refresh(client: OAuthClientInformationFull, raw: str) -> RefreshToken | None:
    token = _live_token(raw, m.OAuthToken.Kind.REFRESH)
    if token is None or token.connection.client.client_id != client.client_id:
        return None
    return RefreshToken(
        token=raw,
        client_id=client.client_id or "",
        scopes=list(token.scopes),
        expires_at=int(token.expires_at.timestamp()),
        resource=token.resource,
        subject=str(token.connection.key.user_id),
    )


@transaction.atomic
def exchange_refresh(
    client: OAuthClientInformationFull, refresh: RefreshToken, scopes: list[str]
) -> OAuthToken:
    """Rotate: the refresh token is used up and a new pair issued."""
    token = _live_token(refresh.token, m.OAuthToken.Kind.REFRESH)
    if token is None or not m.OAuthToken.objects.filter(
        pk=token.pk, revoked_at__isnull=True
    ).update(revoked_at=timezone.now()):
        raise TokenError("invalid_grant", "The refresh token is not valid any more.")
    return _issue(token.connection, scopes or list(token.scopes), token.resource)


def access_token(raw: str) -> KeyToken | None:
    """The verified access token (its connection's key still usable), or None."""
    token = _live_token(raw, m.OAuthToken.Kind.ACCESS)
    if token is None:
        return None
    return KeyToken(
        token=raw,  # the revocation endpoint revokes what it loads
        client_id=token.connection.client.client_id,
        scopes=list(token.scopes),
        expires_at=int(token.expires_at.timestamp()),
        resource=token.resource,
        subject=str(token.connection.key.user_id),
        key_id=token.connection.key_id,
        client_name=f"{token.connection.client.name} (MCP client)",
    )


def revoke_token(raw: str) -> None:
    """RFC 7009: the token, and with it every token of its connection."""
    token = m.OAuthToken.objects.filter(digest=m.digest(raw)).first()
    if token is not None:
        _revoke_connection(token.connection_id)
