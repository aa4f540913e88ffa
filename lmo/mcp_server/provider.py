"""The SDK's ``OAuthAuthorizationServerProvider`` over LMO's OAuth actions
(``lmo.mcp_server.oauth``): each method is one database step in a thread."""

from __future__ import annotations

from channels.db import database_sync_to_async
from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    OAuthAuthorizationServerProvider,
    RefreshToken,
)
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

from lmo.mcp_server import oauth


class Provider(OAuthAuthorizationServerProvider[AuthorizationCode, RefreshToken, AccessToken]):
    """(The identity-assertion grant keeps the SDK's default: unsupported.)"""

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        return await database_sync_to_async(oauth.get_client)(client_id)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        await database_sync_to_async(oauth.register_client)(client_info)

    async def authorize(
        self, client: OAuthClientInformationFull, params: AuthorizationParams
    ) -> str:
        return await database_sync_to_async(oauth.open_consent)(client, params)

    async def load_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: str
    ) -> AuthorizationCode | None:
        return await database_sync_to_async(oauth.load_code)(client, authorization_code)

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: AuthorizationCode
    ) -> OAuthToken:
        return await database_sync_to_async(oauth.exchange_code)(client, authorization_code)

    async def load_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: str
    ) -> RefreshToken | None:
        return await database_sync_to_async(oauth.load_refresh)(client, refresh_token)

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: RefreshToken, scopes: list[str]
    ) -> OAuthToken:
        return await database_sync_to_async(oauth.exchange_refresh)(client, refresh_token, scopes)

    async def load_access_token(self, token: str) -> AccessToken | None:
        return await database_sync_to_async(oauth.access_token)(token)

    async def revoke_token(self, token: AccessToken | RefreshToken) -> None:
        await database_sync_to_async(oauth.revoke_token)(token.token)
