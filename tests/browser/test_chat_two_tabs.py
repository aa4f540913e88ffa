"""The chat in a real browser: two tabs of one user, typing shown in the other tab, the
answer streamed to both, a chart inline, and a thread."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.conftest import FIRST_ANSWER_MS, LiveServer, launch
from tests.browser.test_signup_walk import _screenshot

pytestmark = pytest.mark.browser
KEY = "3132333435363738393031323334353637383930"
EMAIL = "chatter@example.com"
PASSWORD = "a long and unusual passphrase 8"
SETUP = f"""
from allauth.account.models import EmailAddress
from django_otp.plugins.otp_totp.models import TOTPDevice
from lmo.accounts.models import User
u = User.objects.create_user(username="{EMAIL}", email="{EMAIL}", password="{PASSWORD}")
EmailAddress.objects.create(user=u, email="{EMAIL}", verified=True, primary=True)
TOTPDevice.objects.create(user=u, name="phone", key="{KEY}", confirmed=True)
"""


def sign_in(page: Page, url: str, step: int = 0) -> None:
    """Sign in with password and a code; ``step`` moves the code to a later 30 s step,
    because each code is accepted once."""
    page.goto(url + "/accounts/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/account/mfa/verify/"))
    totp = TOTP(bytes.fromhex(KEY))
    totp.time = time.time() + step * 30
    page.fill("input[name=code]", f"{totp.token():06d}")
    page.click("main button[type=submit]")
    expect(page.locator("nav.mainnav")).to_be_visible()


def test_two_tabs_typing_streaming_chart_and_thread(
    live_server_process: LiveServer, chromium_path: str, tmp_path: Path
) -> None:
    server = live_server_process
    server.shell(SETUP)
    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        context = browser.new_context(viewport={"width": 1280, "height": 820})
        tab1 = context.new_page()
        sign_in(tab1, server.url)

        # Start a conversation from the chat's start page (a plain form post).
        tab1.goto(server.url + "/chat/")
        tab1.fill("form.composer textarea", "chart my chat activity")
        tab1.click("form.composer button.send")
        expect(tab1).to_have_url(re.compile(r"/chat/c/\d+/$"))
        expect(tab1.locator(".message.from-assistant .chart .main-svg").first).to_be_visible(
            timeout=15000
        )
        expect(tab1.locator(".message.from-user .status").first).to_have_text("read")
        _screenshot(tab1, "chat-chart", tmp_path)

        tab2 = context.new_page()
        tab2.goto(tab1.url)
        for tab in (tab1, tab2):
            expect(tab.locator("#live-status")).to_have_attribute("data-state", "online")

        # Typing in one tab shows in the other, and goes away by itself.
        tab1.locator("form.composer textarea").press_sequentially("what ti", delay=30)
        expect(tab2.locator(".typing")).to_contain_text("typing in another tab")
        expect(tab2.locator(".typing")).to_be_empty(timeout=8000)
        expect(tab1.locator(".typing")).to_be_empty()

        # Send with Enter: both tabs get the user message and the streamed answer.
        tab1.locator("form.composer textarea").press_sequentially("me is it?")
        tab1.locator("form.composer textarea").press("Enter")
        for tab in (tab1, tab2):
            expect(tab.locator(".message.from-user", has_text="what time is it?")).to_have_count(1)
            expect(tab.locator(".message.from-assistant", has_text="It is ")).to_have_count(
                1,
                timeout=FIRST_ANSWER_MS,
            )
        _screenshot(tab2, "chat-conversation", tmp_path)

        # The / menu offers what the assistant can do.
        tab2.locator("form.composer textarea").fill("/conv")
        expect(tab2.locator(".slash-menu")).to_be_visible()
        tab2.locator(".slash-menu li:not([hidden])").first.click()
        expect(tab2.locator("form.composer textarea")).to_have_value("list my conversations")
        tab2.locator("form.composer textarea").fill("")

        # A thread: reply to the question, the assistant answers in the thread.
        question = tab1.locator(".message.from-user", has_text="what time is it?")
        question.locator(".reply-link").click()
        panel = tab1.locator("#thread-panel")
        expect(panel).to_be_visible()
        panel.locator("textarea").fill("list my conversations")
        panel.locator("textarea").press("Enter")
        expect(panel.locator(".message.from-assistant table")).to_be_visible(timeout=15000)
        expect(
            tab2.locator(".message.from-user", has_text="what time is it?").locator(".reply-link")
        ).to_have_text("2 replies")
        _screenshot(tab1, "chat-thread", tmp_path)
        browser.close()
