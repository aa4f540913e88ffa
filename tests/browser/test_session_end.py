"""The page socket ends with the session, in a real browser: a page signed out elsewhere
(another tab of the same browser, or a password changed from another browser) says so
within seconds, without being reloaded."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.conftest import LiveServer, launch
from tests.browser.test_chat_two_tabs import PASSWORD, SETUP, sign_in

pytestmark = pytest.mark.browser
SOON = 5000  # ms: the server closes within a second, the page reacts at once


def _online(page: Page) -> None:
    expect(page.locator("#live-status")).to_have_attribute("data-state", "online")


def _signed_out(page: Page) -> None:
    status = page.locator("#live-status")
    expect(status).to_have_attribute("data-state", "offline", timeout=SOON)
    expect(status).to_contain_text("Signed out")
    expect(page.locator(".toast", has_text="Signed out: sign in again").first).to_be_visible()


def test_signing_out_in_one_tab_signs_the_other_tab_out(
    live_server_process: LiveServer, chromium_path: str
) -> None:
    server = live_server_process
    server.shell(SETUP)
    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        context = browser.new_context()
        tab1 = context.new_page()
        sign_in(tab1, server.url)
        tab1.goto(server.url + "/chat/")
        _online(tab1)
        tab2 = context.new_page()
        tab2.goto(server.url + "/accounts/logout/")
        tab2.click("main button[type=submit]")
        _signed_out(tab1)
        browser.close()


def test_a_password_changed_in_another_browser_signs_this_page_out(
    live_server_process: LiveServer, chromium_path: str
) -> None:
    server = live_server_process
    server.shell(SETUP)
    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        here = browser.new_context().new_page()
        sign_in(here, server.url)
        here.goto(server.url + "/")
        _online(here)
        there = browser.new_context().new_page()
        sign_in(there, server.url, step=1)
        there.goto(server.url + "/accounts/password/change/")
        there.fill("input[name=oldpassword]", PASSWORD)
        there.fill("input[name=password1]", "another long passphrase 2026")
        there.fill("input[name=password2]", "another long passphrase 2026")
        there.click("main button[type=submit]")
        _signed_out(here)
        # The browser that changed it stays signed in, and live.
        there.goto(server.url + "/")
        _online(there)
        browser.close()
