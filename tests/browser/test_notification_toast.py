"""Notifications in a real browser: a sign-in on another device pops a toast in the open
page, the centre lists it live, and the toast's action signs that device out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import LiveServer, launch
from tests.browser.test_chat_two_tabs import SETUP, sign_in
from tests.browser.test_signup_walk import _screenshot

pytestmark = pytest.mark.browser


def test_a_toast_appears_and_its_action_works(
    live_server_process: LiveServer, chromium_path: str, tmp_path: Path
) -> None:
    server = live_server_process
    server.shell(SETUP)
    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        laptop = browser.new_context(viewport={"width": 1280, "height": 820}).new_page()
        sign_in(laptop, server.url)
        laptop.goto(server.url + "/notifications/")
        expect(laptop.locator("#live-status")).to_have_attribute("data-state", "online")
        expect(laptop.locator("#notification-badge")).to_be_hidden()

        other = browser.new_context(user_agent="Unknown/9.9 (elsewhere)").new_page()
        sign_in(other, server.url, step=1)

        toast = laptop.locator("#toasts .toast-notification")
        expect(toast).to_contain_text("New sign-in to your account", timeout=10000)
        expect(toast).to_contain_text("Unknown/9.9 (elsewhere)")
        expect(laptop.locator("#notification-badge")).to_have_text("1")
        expect(laptop.locator("#notification-list .notification-item.unread")).to_have_count(1)
        _screenshot(laptop, "notification-toast", tmp_path)

        toast.get_by_role("button", name="Sign that session out").click()
        expect(toast).to_contain_text("That session is signed out")
        expect(laptop.locator("#notification-badge")).to_be_hidden()
        expect(laptop.locator("#notification-list .notification-item.unread")).to_have_count(0)
        expect(laptop.locator("#notification-list .notification-outcome")).to_contain_text(
            "That session is signed out"
        )

        other.goto(server.url + "/chat/")
        expect(other).to_have_url(re.compile(r"/accounts/login/"))
        _screenshot(laptop, "notification-centre", tmp_path)
        browser.close()
