"""Bad input on every form and JSON endpoint gets a 4xx with a message, never a 5xx (issue
"Hardening"). The walk signs in, crawls LMO's pages from the home page, finds every form
(and every hx-post) on them, and posts each one with every field set to each bad value:
100k characters, NUL bytes, invalid UTF-8, NaN/Infinity, impossible dates; then a 10 MB body.
The JSON endpoints (the API, the MCP endpoint, OAuth) get the same as JSON."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote_from_bytes, urljoin, urlsplit

import pytest
from django.test import Client

from lmo.accounts.models import User
from tests.privacy.everything import seed_everything

pytestmark = [pytest.mark.django_db, pytest.mark.security]

BAD_TEXT = {
    "100k characters": "x" * 100_000,
    "NUL bytes": "a\x00b",
    "NaN": "NaN",
    "Infinity": "-Infinity",
    "a huge number": "1e309",
    "an impossible date": "2026-02-30",
    "an impossible time": "9999-99-99T99:99",
}
INVALID_UTF8 = b"\xff\xfe\xc3\x28"
TEN_MB = 10 * 1024 * 1024
# Pages whose GET or forms end the session the walk uses (it signs in again for each form).
SKIP = ("/accounts/logout/", "/static/", "/admin/", ".csv", "/archive", "/download")
MAX_PAGES = 120


@dataclass
class Form:
    page: str
    action: str
    fields: set[str] = field(default_factory=set)


class _Forms(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.links: set[str] = set()
        self.forms: list[Form] = []
        self._open: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.add(urljoin(self.page, a["href"]))
        if "hx-post" in a and tag != "form":
            self.forms.append(
                Form(self.page, urljoin(self.page, a["hx-post"]), {a.get("name", "")})
            )
        if tag == "form":
            post = a.get("hx-post") or (
                a.get("action", self.page) if a.get("method", "").lower() == "post" else None
            )
            self._open = (
                Form(self.page, urljoin(self.page, post or self.page)) if post is not None else None
            )
            if self._open is not None:
                self.forms.append(self._open)
        if (
            tag in ("input", "textarea", "select", "button")
            and self._open is not None
            and a.get("name")
        ):
            self._open.fields.add(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if any(s in path for s in SKIP) else path


def _crawl(client: Client) -> tuple[list[str], list[Form]]:
    queue, seen, forms = deque(["/"]), {"/"}, []
    while queue and len(seen) <= MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code < 500, path
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms(path)
        parser.feed(response.content.decode())
        forms.extend(parser.forms)
        for link in parser.links:
            local = _local(link)
            if local is not None and local not in seen:
                seen.add(local)
                queue.append(local)
    unique: dict[str, Form] = {}
    for form in forms:
        if _local(form.action) is None:
            continue
        unique.setdefault(
            urlsplit(form.action).path, Form(form.page, form.action)
        ).fields |= form.fields
    return sorted(seen), list(unique.values())


def _signed_in(user: User, login_verified: Any) -> Client:
    return login_verified(Client(raise_request_exception=False), user)


def _refused_politely(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"


@pytest.fixture
def walker(alice: User, login_verified: Any) -> tuple[User, list[str], list[Form]]:
    seed_everything(alice)
    return alice, *_crawl(_signed_in(alice, login_verified))


def test_every_page_refuses_bad_query_parameters_with_a_4xx(walker, login_verified) -> None:
    alice, pages, _ = walker
    client = _signed_in(alice, login_verified)
    for page in pages:
        joiner = "&" if "?" in page else "?"
        for label, bad in BAD_TEXT.items():
            query = f"q={quote_from_bytes(bad.encode())}&page={quote_from_bytes(bad.encode())}"
            _refused_politely(client.get(f"{page}{joiner}{query}"), f"{page} with {label}")
        _refused_politely(client.get(f"{page}{joiner}q=%FF%FE"), f"{page} with invalid UTF-8")


def test_every_form_refuses_bad_input_with_a_4xx(walker, login_verified) -> None:
    alice, _, forms = walker
    assert len(forms) >= 30, [f.action for f in forms]  # the walk reached the app's forms
    for form in forms:
        names = sorted(form.fields - {""}) or ["value"]
        client = _signed_in(alice, login_verified)
        for label, bad in BAD_TEXT.items():
            response = client.post(form.action, {name: bad for name in names})
            _refused_politely(response, f"{form.action} ({form.page}) with {label}")
        raw = "&".join(
            f"{quote_from_bytes(n.encode())}={quote_from_bytes(INVALID_UTF8)}" for n in names
        )
        response = client.post(form.action, raw, content_type="application/x-www-form-urlencoded")
        _refused_politely(response, f"{form.action} with invalid UTF-8")
        response = client.post(
            form.action, INVALID_UTF8 * 4, content_type="application/x-www-form-urlencoded"
        )
        _refused_politely(response, f"{form.action} with raw invalid UTF-8")
        response = client.post(form.action, {names[0]: "x" * TEN_MB})
        _refused_politely(response, f"{form.action} with 10 MB")


JSON_ENDPOINTS = [
    "/api/v1/conversations",
    "/api/v1/chat/completions",
    "/api/v1/exports",
    "/mcp",
    "/oauth/token",
    "/oauth/register",
]


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_json_endpoints_refuse_bad_bodies_with_a_4xx(client: Client, path: str) -> None:
    bodies = {
        "NaN": '{"title": NaN, "model": NaN, "messages": NaN}',
        "Infinity": '{"title": Infinity}',
        "NUL": json.dumps({"title": "a\x00b", "messages": [{"role": "user", "content": "\x00"}]}),
        "invalid UTF-8": INVALID_UTF8,
        "100k characters": json.dumps({"title": "x" * 100_000}),
        "deep nesting": "[" * 100_000 + "]" * 100_000,
        "10 MB": json.dumps({"title": "x" * TEN_MB}),
        "not JSON": "{",
    }
    for label, body in bodies.items():
        response = client.post(
            path, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer lmo_bad"
        )
        _refused_politely(response, f"{path} with {label}")
        assert response.status_code >= 400, f"{path} with {label}"


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_signed_out_forms_refuse_bad_input_with_a_4xx(client: Client, path: str) -> None:
    parser = _Forms(path)
    parser.feed(client.get(path).content.decode())
    forms = [f for f in parser.forms if _local(f.action) is not None]
    assert forms, path
    for form in forms:
        names = sorted(form.fields - {""})
        for label, bad in BAD_TEXT.items():
            response = Client(raise_request_exception=False).post(
                form.action, {n: bad for n in names}
            )
            _refused_politely(response, f"{form.action} with {label}")
        response = Client(raise_request_exception=False).post(
            form.action, INVALID_UTF8 * 4, content_type="application/x-www-form-urlencoded"
        )
        _refused_politely(response, f"{form.action} with raw invalid UTF-8")


def test_the_second_factor_form_refuses_bad_input_with_a_4xx(alice: User) -> None:
    from tests.conftest import PASSWORD

    client = Client(raise_request_exception=False)
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    for label, bad in BAD_TEXT.items():
        _refused_politely(
            client.post("/account/mfa/verify/", {"code": bad}), f"verify with {label}"
        )


def test_a_nul_in_a_form_is_a_400_naming_the_field(alice: User, login_verified: Any) -> None:
    """It was a 500 on PostgreSQL (renaming a computer with a NUL in its name)."""
    client = _signed_in(alice, login_verified)
    response = client.post("/chat/new/", {"content": "hello\x00there", "client_id": "c1"})
    assert response.status_code == 400
    assert response.content.decode() == "content: text may not contain NUL (\\x00) characters."
    response = client.get("/dashboard/?q=a%00b")
    assert response.status_code == 400 and response.content.decode().startswith("q: ")
