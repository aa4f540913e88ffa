"""A Content-Security-Policy on every page, and no page breaks it (issue "Hardening"): a
walk through LMO's pages in the real browser (chat with an answer, dashboard charts after an
import, every settings tab, the API docs, the admin) fails on any CSP violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect, sync_playwright

from tests.browser.conftest import FIRST_ANSWER_MS, ROOT, LiveServer, launch
from tests.browser.test_chat_two_tabs import EMAIL, SETUP, sign_in

pytestmark = pytest.mark.browser
FILES = ROOT / "tests" / "activities" / "files"
STAFF = f"""
from lmo.accounts.models import User
User.objects.filter(email="{EMAIL}").update(is_staff=True, is_superuser=True)
"""
RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + location.pathname);
});
"""
TABS = [
    "profile",
    "security",
    "notifications",
    "tracking",
    "apps",
    "permissions",
    "api",
    "usage",
    "organisation",
]


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__csp || []"))


def test_no_page_breaks_the_content_security_policy(
    live_server_process: LiveServer, chromium_path: str
) -> None:
    server = live_server_process
    server.shell(SETUP + STAFF)
    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(RECORD)
        page = context.new_page()
        console: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text:
                console.append(message.text)

        page.on("console", on_console)
        seen: list[str] = []

        def visit(path: str) -> None:
            response = page.goto(server.url + path)
            assert response is not None and response.ok, path
            assert "script-src 'self'" in response.headers["content-security-policy"], path
            page.wait_for_load_state("networkidle")
            seen.extend(_violations(page))

        sign_in(page, server.url)
        seen.extend(_violations(page))
        visit("/")
        visit("/chat/")
        page.fill("form.composer textarea", "what time is it?")
        page.click("form.composer button.send")
        expect(page.locator(".message.from-assistant", has_text="It is ")).to_have_count(
            1, timeout=FIRST_ANSWER_MS
        )
        seen.extend(_violations(page))

        visit("/dashboard/")
        page.click("text=Import a statement")
        page.set_input_files("input[type=file]", str(FILES / "chase.csv"))
        page.click("button:has-text('Preview')")
        page.click("button:has-text('Import 4 transactions')")
        expect(page.locator("#chart-by-category .main-svg").first).to_be_visible()
        page.locator("label.chip", has_text="Time").click()  # a field that submits its form
        expect(page).to_have_url(re.compile(r"view=time"))
        seen.extend(_violations(page))

        for path in ["/notifications/", "/permissions/audit/", "/api/v1/docs", "/admin/"]:
            visit(path)
        for tab in TABS:
            visit(f"/settings/{tab}/")
        assert seen == [] and console == [], (seen, console)
        browser.close()
