"""In front of the MCP transport, after the SDK's bearer check: the key's rate limits
(429 with ``Retry-After``, the same limits as ``/api/``; counted by the verifier), and
the Caller the handlers read."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lmo.mcp_server.credentials import KeyToken, admission
from lmo.mcp_server.server import CALLER
from lmo.mcp_server.tools import Caller


async def send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in headers.items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


class Gate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = admission.get()
        token = getattr(scope.get("user"), "access_token", None)
        key, verdict = (found.key, found.verdict) if found else (None, None)
        # (the SDK's check lets nobody else through)
        if not isinstance(token, KeyToken) or key is None or verdict is None:
            await send_json(send, 401, {"error": "invalid_token"}, {})
            return
        scope[CALLER] = Caller(key=key, client=found.client if found else "")
        if not verdict.allowed:
            whose = "this key" if verdict.scope == "key" else "this key's organisation"
            detail = (
                f"Too many requests: {whose} may make {verdict.limit} per minute. "
                f"Retry in {verdict.reset_in} s."
            )
            headers = {"Retry-After": str(verdict.reset_in), **verdict.headers()}
            await send_json(
                send, 429, {"error": "rate_limited", "error_description": detail}, headers
            )
            return
        extra = [(k.lower().encode(), v.encode()) for k, v in verdict.headers().items()]

        async def with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_limits)
