"""Asking before acting, for real: a real agent process, the assistant asks to list a
folder, the user allows once and sees the listing; asked again it asks again; "Allow
for 15 minutes" and the next listing runs without asking."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import FIRST_ANSWER_MS, ROOT, LiveServer, launch
from tests.browser.test_chat_two_tabs import EMAIL, SETUP, sign_in
from tests.browser.test_signup_walk import _screenshot
from tests.conftest import clean_environ

pytestmark = pytest.mark.browser


def _computer(server: LiveServer, token_file: Path) -> None:
    server.shell(
        f"""
from agent_bridge.actions import create_token
from agent_bridge.models import Agent
from lmo.accounts.models import User
agent = Agent.objects.create(owner=User.objects.get(email="{EMAIL}"), name="Studio")
open("{token_file}", "w").write(create_token(agent=agent).raw)
"""
    )


def test_allow_once_then_asked_again_then_allow_for_15_minutes(
    live_server_process: LiveServer, chromium_path: str, tmp_path: Path
) -> None:
    server = live_server_process
    server.shell(SETUP)
    token_file = tmp_path / "token.txt"
    _computer(server, token_file)
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "q3-summary.pdf").write_bytes(b"%PDF")
    config = tmp_path / "agent" / "config.toml"
    agent_cmd = [sys.executable, "-m", "agent_bridge.local_agent", "--config", str(config)]
    env = {**clean_environ(), "PYTHONUNBUFFERED": "1"}
    subprocess.run(
        [*agent_cmd, "pair", "--server", server.url, "--token", token_file.read_text()],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    config.write_text(config.read_text().replace('roots = ["~"]', f'roots = ["{tmp_path}"]'))
    running = subprocess.Popen(
        [*agent_cmd, "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        with sync_playwright() as pw:
            browser = launch(pw, chromium_path)
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            sign_in(page, server.url)
            page.goto(server.url + "/settings/apps/")
            card = page.locator("article.agent", has_text="Studio")
            expect(card.locator(".agent-status")).to_have_text("Connected", timeout=20_000)

            page.goto(server.url + "/chat/")
            page.fill("form.composer textarea", "what time is it?")
            page.click("form.composer button.send")
            expect(page.locator("#live-status")).to_have_attribute("data-state", "online")
            answers = page.locator(".message.from-assistant")
            expect(answers.nth(0)).to_contain_text("It is ", timeout=FIRST_ANSWER_MS)

            page.locator("form.composer textarea").fill(f"list files in {folder}")
            page.locator("form.composer textarea").press("Enter")
            answers = page.locator(
                ".message.from-assistant:has(.perm-card), .message.from-assistant:has(.block-files)"
            )
            prompt = answers.nth(0).locator(".perm-card.perm-pending")
            expect(prompt).to_be_visible(timeout=15_000)
            expect(prompt.locator(".perm-command")).to_contain_text(str(folder))
            expect(prompt.locator(".perm-command")).to_contain_text("filesystem.list on Studio")
            # The conversation's messages are not mistaken for the page's flash messages.
            expect(page.locator("#toasts .toast", has_text="user:")).to_have_count(0)
            _screenshot(page, "permission-request", tmp_path)
            prompt.get_by_role("button", name="Allow once").click()
            expect(answers.nth(0)).to_contain_text("q3-summary.pdf", timeout=20_000)

            # Once means once: the same request asks again.
            page.locator("form.composer textarea").fill(f"list files in {folder}")
            page.locator("form.composer textarea").press("Enter")
            prompt = answers.nth(1).locator(".perm-card.perm-pending")
            expect(prompt).to_be_visible(timeout=15_000)
            prompt.get_by_role("button", name="Allow for 15 minutes").click()
            expect(answers.nth(1)).to_contain_text("q3-summary.pdf", timeout=20_000)

            # Within the 15 minutes: no question, straight to the listing.
            page.locator("form.composer textarea").fill(f"list files in {folder}")
            page.locator("form.composer textarea").press("Enter")
            expect(answers.nth(2)).to_contain_text("q3-summary.pdf", timeout=20_000)
            expect(answers.nth(2).locator(".perm-card")).to_have_count(0)

            page.goto(server.url + "/settings/permissions/")
            expect(page.locator(".grant-list")).to_contain_text("list")
            expect(page.locator(".grant-list time[data-countdown]")).to_contain_text("min")
            _screenshot(page, "settings-permissions", tmp_path)
            page.goto(server.url + "/permissions/audit/")
            expect(page.locator("#audit-chain")).to_contain_text("Chain verified: 3 sealed")
            expect(page.locator(".audit-row")).to_have_count(3)
            browser.close()
    finally:
        running.terminate()
        running.wait(10)
