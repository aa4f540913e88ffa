"""The door in front of ``/mcp``, in process: a host this server does not answer to is a
421; a browser on another site (DNS rebinding, a page driving the user's computers) is a
403; this site, its public URL behind a proxy and the trusted origins pass; the OAuth
endpoints answer browser-based clients from anywhere."""

from __future__ import annotations

from typing import Any

import pytest

from lmo.mcp_server.app import handles, refusal


def scope(
    path: str = "/mcp", host: str = "127.0.0.1:8000", origin: str | None = None
) -> dict[str, Any]:
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "http", "method": "POST", "path": path, "headers": headers}


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["127.0.0.1", "lmo.example.com"]
    settings.LMO_PUBLIC_URL = "https://lmo.example.com/"
    settings.CSRF_TRUSTED_ORIGINS = ["https://admin.example.com"]


def test_it_answers_a_client_that_sends_no_origin() -> None:
    assert refusal(scope()) is None


def test_it_answers_this_site_its_public_url_and_trusted_origins() -> None:
    assert refusal(scope(origin="http://127.0.0.1:8000")) is None
    # Behind a proxy the Host is the internal one; the page is on the public URL.
    assert refusal(scope(origin="https://lmo.example.com")) is None
    assert refusal(scope(origin="https://admin.example.com")) is None


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "null",  # a sandboxed frame or a file
        "chrome-extension://abcdef",
        "http://127.0.0.1:8001",  # another port is another site
        "http://lmo.example.com",  # not the public URL's scheme
        "https://lmo.example.com.evil.example",
    ],
)
def test_it_refuses_a_page_on_another_site(origin: str) -> None:
    refused = refusal(scope(origin=origin))
    assert refused is not None and refused.status_code == 403
    assert origin in bytes(refused.body).decode()
    assert refusal(scope(path="/mcp/", origin=origin)) is not None


def test_it_refuses_a_host_it_does_not_serve() -> None:
    refused = refusal(scope(host="rebound.example:8000"))
    assert refused is not None and refused.status_code == 421
    missing = refusal({"type": "http", "path": "/mcp", "headers": []})
    assert missing is not None and missing.status_code == 421


def test_the_oauth_endpoints_answer_any_origin() -> None:
    for path in ("/token", "/register", "/.well-known/oauth-authorization-server"):
        assert refusal(scope(path=path, origin="http://evil.example")) is None
    # (but never another host)
    assert refusal(scope(path="/token", host="rebound.example")) is not None


def test_it_routes_only_its_own_paths() -> None:
    assert handles("/mcp") and handles("/mcp/") and handles("/token")
    assert handles("/.well-known/oauth-protected-resource/mcp")
    assert not handles("/mcpx") and not handles("/api/v1/models") and not handles("/")
