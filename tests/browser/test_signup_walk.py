"""The newcomer's walk in a real browser: sign up, confirm e-mail, enrol TOTP, sign out,
sign in again with a code, and land on the live app shell."""

from __future__ import annotations

import os
import re
import time
from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.conftest import LiveServer, launch

pytestmark = pytest.mark.browser

PASSWORD = "a long and unusual passphrase 7"
ROOT = Path(__file__).resolve().parents[2]


def _code(secret: str, offset_steps: int = 0) -> str:
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * offset_steps
    return f"{totp.token():06d}"


def _screenshot(page: Page, name: str, tmp_path: Path) -> None:
    target = Path(os.environ.get("LMO_SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"), full_page=True)


def test_sign_up_enrol_log_out_and_back_in_with_a_code(
    live_server_process: LiveServer, chromium_path: str, tmp_path: Path
) -> None:
    server = live_server_process
    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        page = browser.new_page(viewport={"width": 1100, "height": 760})
        page.goto(server.url + "/")
        expect(page).to_have_url(re.compile(r"/accounts/login/"))

        page.goto(server.url + "/accounts/signup/")
        page.fill("input[name=email]", "newcomer@example.com")
        page.fill("input[name=password1]", PASSWORD)
        page.fill("input[name=password2]", PASSWORD)
        page.click("main button[type=submit]")

        # E-mail verification by code; the server wrote the mail to its mail folder.
        expect(page.locator("input[name=code]")).to_be_visible()
        mail = "\n".join(server.mails())
        code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail, re.MULTILINE)
        assert code, mail
        page.fill("input[name=code]", code.group(1))
        page.click("main button[type=submit]")

        # MFA is required: straight to the authenticator set-up.
        expect(page).to_have_url(re.compile(r"/account/mfa/setup/"))
        expect(page.locator(".qr svg")).to_be_visible()
        secret = page.locator("#totp-secret").inner_text()
        _screenshot(page, "mfa-setup", tmp_path)
        page.fill("input[name=code]", "000000" if _code(secret) != "000000" else "111111")
        page.click("main button[type=submit]")
        expect(page.locator(".error")).to_contain_text("not valid")
        time.sleep(1.1)  # django-otp asks for 1 s after a wrong code
        page.fill("input[name=code]", _code(secret))
        page.click("main button[type=submit]")

        expect(page.locator("#backup-codes li")).to_have_count(10)
        page.click("text=I saved my codes")

        # The app shell, with the live socket connected.
        expect(page.locator("nav.mainnav")).to_contain_text("Dashboard")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "online")
        expect(page.locator("#live-status")).to_contain_text("Live")
        _screenshot(page, "app-shell", tmp_path)

        page.click("text=Sign out")
        expect(page).to_have_url(re.compile(r"/$|/accounts/login/"))

        page.goto(server.url + "/accounts/login/")
        page.fill("input[name=login]", "newcomer@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        expect(page).to_have_url(re.compile(r"/account/mfa/verify/"))
        _screenshot(page, "login-totp", tmp_path)
        page.fill("input[name=code]", _code(secret, offset_steps=1))
        page.click("main button[type=submit]")

        expect(page.locator("#live-status")).to_have_attribute("data-state", "online")
        page.goto(server.url + "/settings/security/")
        expect(page.locator("#settings-panel")).to_contain_text("Backup codes left")
        page.click("role=tab[name='Apps']")
        expect(page).to_have_url(re.compile(r"/settings/apps/$"))
        expect(page.locator("#settings-panel")).to_have_attribute("data-tab", "apps")
        _screenshot(page, "settings-security", tmp_path)
        browser.close()
