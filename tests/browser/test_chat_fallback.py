"""The chat in a real browser when the page socket is down: the composer posts with htmx,
and once the socket is back the page fetches the messages that changed meanwhile."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import WebSocketRoute, expect, sync_playwright

from tests.browser.conftest import FIRST_ANSWER_MS, LiveServer, launch
from tests.browser.test_chat_two_tabs import SETUP, sign_in

pytestmark = pytest.mark.browser
TRY_AGAIN_LATER = 1013  # a close code the page reconnects after


def test_sending_without_the_socket_then_rejoining(
    live_server_process: LiveServer, chromium_path: str
) -> None:
    server = live_server_process
    server.shell(SETUP)
    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        page = browser.new_context(viewport={"width": 1280, "height": 820}).new_page()
        sign_in(page, server.url)
        page.goto(server.url + "/chat/")
        page.fill("form.composer textarea", "what time is it?")
        page.click("form.composer button.send")
        expect(page).to_have_url(re.compile(r"/chat/c/\d+/$"))
        expect(page.locator(".message.from-assistant", has_text="It is ")).to_have_count(
            1,
            timeout=FIRST_ANSWER_MS,
        )

        down = True

        def socket(ws: WebSocketRoute) -> None:
            if down:
                ws.close(code=TRY_AGAIN_LATER)
            else:
                ws.connect_to_server()

        page.route_web_socket(re.compile(r"/ws/live/$"), socket)
        page.reload()
        expect(page.locator("#live-status")).to_have_attribute("data-state", "offline")

        # Sent over HTTP by htmx (the page stays): the stored message replaces the bubble.
        page.evaluate("window.stayed = true")
        page.locator("form.composer textarea").fill("list my conversations")
        page.locator("form.composer textarea").press("Enter")
        sent = page.locator(".message.from-user[data-message]", has_text="list my conversations")
        expect(sent).to_have_count(1)
        expect(page.locator(".message.pending")).to_have_count(0)
        expect(page.locator("form.composer textarea")).to_have_value("")
        assert page.evaluate("window.stayed") is True
        expect(sent.locator(".status")).not_to_have_attribute("data-status", "read")

        # The answer read it meanwhile; back online, the page fetches the message again.
        down = False
        expect(page.locator("#live-status")).to_have_attribute(
            "data-state", "online", timeout=70000
        )
        expect(sent.locator(".status")).to_have_text("read", timeout=15000)
        expect(page.locator(".message.from-user", has_text="list my conversations")).to_have_count(
            1
        )
        browser.close()
