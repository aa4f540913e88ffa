"""``/mcp`` (Streamable HTTP), its protected-resource metadata (RFC 9728) and the OAuth
authorization server's endpoints (the SDK's: RFC 8414 metadata, authorization code with
PKCE, dynamic registration, refresh, revocation; the consent page is a Django view), as
an ASGI application beside Django's (``lmo.asgi`` routes these paths here).

Layers, outside in: Host and Origin checks (Django's ``ALLOWED_HOSTS``; an Origin must be
this site or one of ``CSRF_TRUSTED_ORIGINS``: 403 otherwise), the request log; the SDK's
bearer authentication (401 naming the metadata, 403 without the ``mcp`` scope); the rate
limits; the SDK's stateless transport (no session ids: any server process answers any
request, replies stream as SSE so a waiting call can send progress) and our handlers.

The SDK's session manager runs for the life of the event loop: Daphne sends no ASGI
lifespan events, so it starts with the first request."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend, RequireAuthMiddleware
from mcp.server.auth.routes import (
    build_resource_metadata_url,
    create_auth_routes,
    create_protected_resource_routes,
)
from mcp.server.auth.settings import ClientRegistrationOptions, RevocationOptions
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from pydantic import AnyHttpUrl
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lmo.api.logs import log_request
from lmo.api.models import Scope as KeyScope
from lmo.mcp_server.credentials import MCP_PATH, Admission, admission, resource_url
from lmo.mcp_server.gate import Gate
from lmo.mcp_server.provider import Provider
from lmo.mcp_server.server import build_server
from lmo.mcp_server.verifier import KeyVerifier

METADATA_PREFIX = "/.well-known/oauth-protected-resource"
# The authorization server's endpoints (the SDK's, at the issuer: this site's root).
OAUTH_PATHS = ("/authorize", "/token", "/register", "/revoke")
AS_METADATA = "/.well-known/oauth-authorization-server"
MAX_BODY_BYTES = 1024 * 1024


def handles(path: str) -> bool:
    return (
        path in (MCP_PATH, MCP_PATH + "/", *OAUTH_PATHS)
        or path.startswith(METADATA_PREFIX)
        or path.startswith(AS_METADATA)
    )


def _origin_allowed(origin: str, host: str) -> bool:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    public = urlsplit(str(settings.LMO_PUBLIC_URL))
    return (
        parts.netloc == host
        or origin == f"{public.scheme}://{public.netloc}"
        or origin in settings.CSRF_TRUSTED_ORIGINS
    )


def refusal(scope: Scope) -> PlainTextResponse | None:
    """A browser on another site must not drive the user's computers (DNS rebinding)."""
    headers = Headers(scope=scope)
    host = headers.get("host", "")
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return PlainTextResponse("This host is not served here.", status_code=421)
    origin = headers.get("origin")
    # (the OAuth endpoints answer browser-based clients from anywhere, with CORS)
    if (
        scope["path"].startswith(MCP_PATH)
        and origin is not None
        and not _origin_allowed(origin, host)
    ):
        return PlainTextResponse(f"Requests from {origin} are not allowed.", status_code=403)
    return None


def _starlette(manager: StreamableHTTPSessionManager) -> Starlette:
    resource = AnyHttpUrl(resource_url())
    endpoint = RequireAuthMiddleware(
        Gate(StreamableHTTPASGIApp(manager)),
        required_scopes=[KeyScope.MCP.value],
        resource_metadata_url=build_resource_metadata_url(resource),
    )
    public = str(settings.LMO_PUBLIC_URL).rstrip("/")
    issuer = AnyHttpUrl(public)
    return Starlette(
        routes=[
            Route(MCP_PATH, endpoint=endpoint),
            *create_auth_routes(
                provider=Provider(),
                issuer_url=issuer,
                service_documentation_url=AnyHttpUrl(f"{public}/api/v1/docs"),
                client_registration_options=ClientRegistrationOptions(
                    enabled=True,
                    valid_scopes=[KeyScope.MCP.value],
                    default_scopes=[KeyScope.MCP.value],
                ),
                revocation_options=RevocationOptions(enabled=True),
            ),
            *create_protected_resource_routes(
                resource_url=resource,
                authorization_servers=[issuer],
                scopes_supported=[KeyScope.MCP.value],
                resource_name="LMO",
                resource_documentation=AnyHttpUrl(f"{public}/api/v1/docs"),
            ),
        ],
        middleware=[
            Middleware(
                AuthenticationMiddleware,
                backend=BearerAuthBackend(KeyVerifier(), resource_server_url=resource),
            ),
            Middleware(AuthContextMiddleware),
        ],
    )


@dataclass
class _Running:
    app: Starlette
    ready: asyncio.Event
    task: asyncio.Task[None] | None = None


_running: dict[asyncio.AbstractEventLoop, _Running] = {}


async def _app() -> Starlette:
    loop = asyncio.get_running_loop()
    running = _running.get(loop)
    if running is None:
        manager = StreamableHTTPSessionManager(
            app=build_server(), stateless=True, max_request_body_size=MAX_BODY_BYTES
        )
        running = _running[loop] = _Running(app=_starlette(manager), ready=asyncio.Event())

        async def serve() -> None:
            async with manager.run():
                running.ready.set()
                await asyncio.Event().wait()  # until the loop ends

        running.task = loop.create_task(serve())
    await running.ready.wait()
    return running.app


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    refused = refusal(scope)
    if refused is not None:
        await refused(scope, receive, send)
        return
    app: ASGIApp = await _app()
    started = time.perf_counter()
    status = {"code": 500}

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            status["code"] = message["status"]
        await send(message)

    client = scope.get("client")
    found = Admission(address=client[0] if client else None)
    reset = admission.set(found)
    try:
        await app(scope, receive, sending)
    finally:
        admission.reset(reset)
        if scope["path"].startswith(MCP_PATH):
            headers = Headers(scope=scope)
            # After the answer; in a thread of its own, so the request that follows does not
            # queue behind this write.
            await database_sync_to_async(log_request, thread_sensitive=False)(
                key=found.key,
                method=scope.get("method", ""),
                path=scope["path"],
                status=status["code"],
                latency_ms=(time.perf_counter() - started) * 1000,
                address=client[0] if client else None,
                user_agent=headers.get("user-agent", ""),
            )
