"""Your data in a real browser: Settings → Profile builds an export with its progress live,
the archive downloads from the signed link, then the account is deleted with a fresh code
and the e-mail typed out, and nothing of it is left on the server."""

from __future__ import annotations

import io
import json
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import LiveServer, launch
from tests.browser.test_chat_two_tabs import EMAIL, KEY, SETUP, sign_in
from tests.browser.test_signup_walk import _screenshot

pytestmark = pytest.mark.browser

GONE = f"""
from lmo.accounts.models import User
from lmo.privacy.models import AccountDeletion
assert not User.objects.filter(email="{EMAIL}").exists(), "the user is still there"
assert AccountDeletion.objects.get().state == "done"
"""


def _eventually_gone(server: LiveServer) -> None:
    for _ in range(40):
        try:
            server.shell(GONE)
            return
        except subprocess.CalledProcessError:
            time.sleep(0.5)
    server.shell(GONE)  # fails with the reason


def test_export_download_then_delete_the_account(
    live_server_process: LiveServer, chromium_path: str, tmp_path: Path
) -> None:
    server = live_server_process
    server.shell(SETUP)
    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        sign_in(page, server.url)
        page.goto(server.url + "/settings/profile/")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "online")
        page.get_by_role("button", name="Export my data").click()
        row = page.locator(".exports .export").first
        expect(row).to_be_visible()
        # Built by the task; the row changes in place, pushed over the page socket.
        download_link = row.locator("a", has_text="Download")
        expect(download_link).to_be_visible(timeout=30_000)
        _screenshot(page, "profile-your-data", tmp_path)
        with page.expect_download() as downloading:
            download_link.click()
        archive = Path(downloading.value.path()).read_bytes()
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            manifest = json.loads(opened.read("manifest.json"))
            assert manifest["user"] == EMAIL
            assert "audit/verify_audit.py" in opened.namelist()

        # Delete: the e-mail typed out and a fresh code (the sign-in used this step's).
        page.fill("form.delete-account input[name=email]", EMAIL)
        totp = TOTP(bytes.fromhex(KEY))
        totp.time = time.time() + 30
        page.fill("form.delete-account input[name=code]", f"{totp.token():06d}")
        page.get_by_role("button", name="Delete my account and all my data").click()
        expect(page).to_have_url(server.url + "/privacy/deleted/")
        expect(page.locator("h1")).to_have_text("Your account is being deleted")
        page.goto(server.url + "/chat/")
        expect(page).to_have_url(server.url + "/accounts/login/?next=/chat/")
        browser.close()
    _eventually_gone(server)
    assert any("Your account was deleted" in mail for mail in server.mails())
