"""Pairing a computer for real: the agent's ``pair`` command shows a code, the user types it
in Settings → Apps, the agent gets its token, and once ``run`` connects the page shows the
computer as connected, live, with its connectors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import ROOT, LiveServer, launch
from tests.browser.test_chat_two_tabs import SETUP, sign_in
from tests.browser.test_signup_walk import _screenshot
from tests.conftest import clean_environ

pytestmark = pytest.mark.browser


def test_pair_then_connected_live(
    live_server_process: LiveServer, chromium_path: str, tmp_path: Path
) -> None:
    server = live_server_process
    server.shell(SETUP)
    config = tmp_path / "agent" / "config.toml"
    agent_cmd = [sys.executable, "-m", "agent_bridge.local_agent", "--config", str(config)]
    env = {**clean_environ(), "PYTHONUNBUFFERED": "1"}
    pairing = subprocess.Popen(
        [*agent_cmd, "pair", "--server", server.url, "--name", "Studio"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = None
    try:
        assert pairing.stdout is not None
        code = ""
        for line in pairing.stdout:
            found = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", line)
            if found:
                code = found.group(1)
                break
        assert code, "the agent printed no pairing code"
        with sync_playwright() as pw:
            browser = launch(pw, chromium_path)
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            sign_in(page, server.url, step=0)
            page.goto(server.url + "/settings/apps/")
            page.fill("input[name=code]", code.lower())
            page.click("#settings-panel form[action$='/apps/pair/'] button[type=submit]")
            expect(page.get_by_text("Studio is paired")).to_be_visible()
            expect(page.locator("nav.tabs")).to_have_count(1)  # the panel, not the page again
            card = page.locator("article.agent", has_text="Studio")
            expect(card.locator(".agent-status")).to_contain_text("Never connected")
            assert pairing.wait(20) == 0
            assert (config.parent / "token").read_text().startswith("lmo_at_")
            config.write_text(
                config.read_text().replace('roots = ["~"]', f'roots = ["{tmp_path}"]')
            )
            running = subprocess.Popen(
                [*agent_cmd, "run"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            # Presence arrives over the page socket: no reload.
            expect(card.locator(".agent-status")).to_have_text("Connected", timeout=20_000)
            card.locator("summary", has_text="connector").click()
            expect(card.locator(".connectors")).to_contain_text("filesystem")
            expect(card.locator(".connectors")).to_contain_text("write (writes)")
            _screenshot(page, "settings-apps", tmp_path)
            running.terminate()
            running.wait(10)
            expect(card.locator(".agent-status")).to_contain_text("Offline", timeout=20_000)
            browser.close()
    finally:
        pairing.kill()
        if running is not None and running.poll() is None:
            running.kill()
