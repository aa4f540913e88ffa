"""An MCP client connects with nothing but the URL: the official SDK's own OAuth client
provider (discovery, dynamic registration, PKCE) against a live LMO, and a real browser in
which the user signs in with a TOTP code and approves the consent page. Then refresh,
revoke in Settings → API, a token for another resource, a denial, a foreign Origin."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import queue
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import httpx2
import pytest
from django_otp.oath import TOTP
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)
from playwright.sync_api import Page, expect, sync_playwright

from lmo.bench.processes import free_port
from tests.browser.conftest import ROOT, LiveServer, launch
from tests.browser.test_chat_two_tabs import EMAIL, KEY, PASSWORD, SETUP
from tests.browser.test_signup_walk import _screenshot

pytestmark = pytest.mark.browser

CLIENT_NAME = "Claude (test)"
TOOLS_LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


class Callback:
    """The client's loopback redirect URI: records what the browser brings back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.uri = f"http://127.0.0.1:{self.port}/callback"
        self.arrived: queue.Queue[dict[str, str]] = queue.Queue()
        callback = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                where = urlparse(self.path)
                if where.path == "/callback":  # (not the browser's /favicon.ico)
                    callback.arrived.put({k: v[0] for k, v in parse_qs(where.query).items()})
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"You can close this window.")

            def log_message(self, *args: Any) -> None:
                return None

        self.server = HTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.arrived.put({"error": "the test ended"})  # a client still waiting gives up


class Memory:
    """The SDK's TokenStorage, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.info = client_info


@pytest.fixture
def callback() -> Iterator[Callback]:
    server = Callback()
    yield server
    server.close()


def _sign_in_on_the_way(page: Page) -> None:
    """The consent page asks to sign in first: password, then the authenticator's code;
    then the user is back on that consent page."""
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/oauth/consent/"))
    consent = parse_qs(urlparse(page.url).query)["next"][0]
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/account/mfa/verify/"))
    page.fill("input[name=code]", f"{TOTP(bytes.fromhex(KEY)).token():06d}")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(consent) + "$"))


def _post_mcp(url: str, token: str, origin: str | None = None) -> httpx.Response:
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {token}"}
    if origin is not None:
        headers["Origin"] = origin
    return httpx.post(f"{url}/mcp", json=TOOLS_LIST, headers=headers, timeout=10)


def _shell_out(server: LiveServer, code: str) -> str:
    """``server.shell``, with what it prints."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_an_mcp_client_connects_with_nothing_but_the_url(
    live_server_process: LiveServer, chromium_path: str, callback: Callback, tmp_path: Path
) -> None:
    server = live_server_process
    server.shell(SETUP)
    to_browser: queue.Queue[str] = queue.Queue()
    storage = Memory()

    async def redirect_handler(url: str) -> None:
        to_browser.put(url)

    async def callback_handler() -> AuthorizationCodeResult:
        query = await asyncio.to_thread(callback.arrived.get, True, 120)
        return AuthorizationCodeResult(code=query["code"], state=query.get("state"))

    listed: list[list[str]] = []
    failures: list[BaseException] = []

    def client_app() -> None:
        async def run() -> None:
            auth = OAuthClientProvider(
                server.url + "/mcp",
                OAuthClientMetadata(
                    client_name=CLIENT_NAME,
                    redirect_uris=[callback.uri],  # type: ignore[list-item]
                    grant_types=["authorization_code", "refresh_token"],
                    response_types=["code"],
                ),
                storage,
                redirect_handler,
                callback_handler,
            )
            http = httpx2.AsyncClient(auth=auth, timeout=60)
            async with Client(
                streamable_http_client(server.url + "/mcp", http_client=http), mode="legacy"
            ) as client:
                listed.append(sorted(t.name for t in (await client.list_tools()).tools))

        try:
            asyncio.run(run())
        except BaseException as exc:  # reported by the test thread
            failures.append(exc)

    app = threading.Thread(target=client_app, daemon=True)
    app.start()
    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        page.goto(to_browser.get(timeout=60))  # the SDK's authorization URL
        _sign_in_on_the_way(page)
        expect(page.locator("#consent-client")).to_have_text(CLIENT_NAME)
        expect(page.locator("#consent-redirect")).to_have_text(callback.uri)
        _screenshot(page, "mcp-consent", tmp_path)
        page.click("button[name=choice][value=allow]")
        app.join(60)
        assert not failures, failures
        assert listed == [
            [
                "activities_job_applications",
                "activities_record_job",
                "activities_search",
                "activities_spending",
            ]
        ]
        tokens, info = storage.tokens, storage.info
        assert tokens is not None and info is not None and tokens.refresh_token
        assert tokens.access_token.startswith("lmoat_")
        assert _post_mcp(server.url, tokens.access_token).status_code == 200
        # A page on another site must not use it (DNS rebinding): its Origin is refused
        # even with a valid token; this site's own Origin is fine.
        foreign = _post_mcp(server.url, tokens.access_token, origin="http://evil.example")
        assert foreign.status_code == 403, foreign.text
        assert _post_mcp(server.url, tokens.access_token, origin=server.url).status_code == 200

        # Refresh: a new pair; the used refresh token is spent (rotation).
        form = {
            "grant_type": "refresh_token",
            "refresh_token": tokens.refresh_token,
            "client_id": info.client_id,
        }
        if info.client_secret:
            form["client_secret"] = info.client_secret
        fresh = httpx.post(f"{server.url}/token", data=form)
        assert fresh.status_code == 200, fresh.text
        renewed = fresh.json()
        assert renewed["access_token"] != tokens.access_token
        assert _post_mcp(server.url, renewed["access_token"]).status_code == 200
        spent = httpx.post(f"{server.url}/token", data=form)
        assert spent.status_code == 400 and spent.json()["error"] == "invalid_grant"

        # A token the server holds for another resource (audience) is refused.
        other = "lmoat_" + secrets.token_urlsafe(32)
        _shell_out(
            server,
            "from datetime import timedelta\nfrom django.utils import timezone\n"
            "from lmo.mcp_server.models import McpConnection, OAuthToken, digest\n"
            f"OAuthToken.objects.create(digest=digest({other!r}), kind='access',"
            " connection=McpConnection.objects.get(), scopes=['mcp'],"
            " resource='http://other.example/mcp', expires_at=timezone.now() + timedelta(hours=1))",
        )
        assert _post_mcp(server.url, other).status_code == 401
        # ...and no token is issued for one: the authorization request is refused.
        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .decode()
            .rstrip("=")
        )
        params = {
            "response_type": "code",
            "client_id": info.client_id,
            "redirect_uri": callback.uri,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "elsewhere",
        }
        refused = httpx.get(
            f"{server.url}/authorize?"
            + urlencode({**params, "resource": "http://other.example/mcp"})
        )
        assert "error=" in refused.headers.get("location", "") or refused.status_code == 400

        # Denied: the client hears access_denied, nothing is connected.
        page.goto(f"{server.url}/authorize?" + urlencode({**params, "state": "second"}))
        expect(page.locator("#consent-client")).to_have_text(CLIENT_NAME)
        page.click("button[name=choice][value=deny]")
        denied = callback.arrived.get(timeout=30)
        assert denied.get("error") == "access_denied" and denied["state"] == "second", denied
        count = _shell_out(
            server,
            "from lmo.mcp_server.models import McpConnection\n"
            "print('CONNECTIONS', McpConnection.objects.count())",
        )
        assert "CONNECTIONS 1" in count

        # Revoked in Settings → API: access ends at once.
        page.goto(server.url + "/settings/api/")
        row = page.locator("#mcp-clients tr", has_text=CLIENT_NAME)
        expect(row).to_contain_text(callback.uri)
        expect(row.locator(".last-used")).not_to_have_text("never")
        page.on("dialog", lambda dialog: dialog.accept())
        row.locator("button", has_text="Revoke").click()
        expect(page.locator("#mcp-clients tr", has_text=CLIENT_NAME)).to_contain_text("revoked")
        deadline = time.monotonic() + 10
        while _post_mcp(server.url, renewed["access_token"]).status_code != 401:
            assert time.monotonic() < deadline, "the revoked client still has access"
            time.sleep(0.2)
        browser.close()
