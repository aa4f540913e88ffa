"""Who may call ``/mcp`` (the SDK's ``TokenVerifier``; its bearer middleware then requires
the ``mcp`` scope and refuses a token issued for another resource): an API key
(``lmo_…``) or an OAuth access token (``lmoat_…``) of a connected MCP client. In the
same database step the request is counted against the key's rate limits; the gate reads
what was found from the request's ``Admission``."""

from __future__ import annotations

from channels.db import database_sync_to_async
from mcp.server.auth.provider import AccessToken

from lmo.api.keys import authenticate, authenticate_key
from lmo.api.models import ApiKey
from lmo.api.ratelimit import hit
from lmo.mcp_server.credentials import Admission, KeyToken, admission, resource_url
from lmo.mcp_server.oauth import ACCESS_PREFIX, access_token


def _key_token(key: ApiKey) -> KeyToken:
    return KeyToken(
        token=key.prefix,  # never the secret: this object may be logged
        client_id=f"lmo-key-{key.prefix}",
        scopes=list(key.scopes),
        expires_at=int(key.expires_at.timestamp()),
        resource=resource_url(),
        subject=str(key.user_id),
        key_id=key.pk,
        client_name=f"An MCP client with the API key “{key.name}” ({key.prefix})",
    )


def _verify(raw: str, found: Admission) -> KeyToken | None:
    token: KeyToken | None
    if raw.startswith(ACCESS_PREFIX):
        token = access_token(raw)
        # The connection's key is checked as any key is (and marked used).
        key = None if token is None else authenticate_key(token.key_id, address=found.address)
    else:
        key = authenticate(raw, address=found.address)
        token = None if key is None else _key_token(key)
    if key is None or token is None:
        return None
    found.key, found.verdict, found.client = key, hit(key), token.client_name[:120]
    return token


class KeyVerifier:
    async def verify_token(self, token: str) -> AccessToken | None:
        found = admission.get()
        if len(token) > 200 or found is None:
            return None
        return await database_sync_to_async(_verify)(token, found)
