"""Settings → API for real: create a key in the browser, call the API with it from
another program, and see it used (last used, the request log) on the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import LiveServer, launch
from tests.browser.test_chat_two_tabs import SETUP, sign_in
from tests.browser.test_signup_walk import _screenshot

pytestmark = pytest.mark.browser


def _call(url: str, key: str) -> Any:
    headers = {"Authorization": f"Bearer {key}", "User-Agent": "browser-test/1"}
    return httpx.get(url, headers=headers, timeout=10)


def test_create_a_key_use_it_and_see_it_used(
    live_server_process: LiveServer, chromium_path: str, tmp_path: Path
) -> None:
    server = live_server_process
    server.shell(SETUP)
    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        sign_in(page, server.url, step=0)
        page.goto(server.url + "/settings/api/")
        page.fill("#api-key-form input[name=name]", "Reporting script")
        page.check("#api-key-form input[value=chat]")
        page.check("#api-key-form input[value='activities:read']")
        page.click("#api-key-form button[type=submit]")
        secret = page.locator("#new-api-key code.secret")
        expect(secret).to_be_visible()
        key = secret.inner_text().strip()
        assert key.startswith("lmo_")

        me = _call(server.url + "/api/v1/me", key).json()
        assert me["name"] == "Reporting script" and me["scopes"] == ["activities:read", "chat"]
        assert _call(server.url + "/api/v1/conversations", key).json()["items"] == []

        page.goto(server.url + "/settings/api/")
        row = page.locator("#api-keys tr", has_text="Reporting script")
        expect(row.locator(".last-used")).to_contain_text("from 127.0.0.1")
        log = page.locator("#api-requests")
        expect(log).to_contain_text("GET /api/v1/me")
        expect(log).to_contain_text("GET /api/v1/conversations")
        assert key not in page.content()
        _screenshot(page, "settings-api", tmp_path)

        page.goto(server.url + "/settings/usage/")
        expect(page.locator("#usage-totals")).to_contain_text("API requests")
        expect(page.locator("#usage-per-day .main-svg").first).to_be_visible()
        _screenshot(page, "settings-usage", tmp_path)

        page.goto(server.url + "/settings/api/")
        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Revoke").click()
        expect(page.get_by_text("Revoked Reporting script")).to_be_visible()
        assert _call(server.url + "/api/v1/me", key).status_code == 401
        browser.close()
