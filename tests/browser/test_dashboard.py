"""The dashboard for real: import a statement (preview, confirm), search and filter (in
the URL, back button), open an item; then a statement dropped into the real agent's
watched folder appears on the open dashboard without a reload."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import ROOT, LiveServer, launch
from tests.browser.test_chat_two_tabs import SETUP, sign_in
from tests.browser.test_permission_prompt import _computer
from tests.browser.test_signup_walk import _screenshot
from tests.conftest import clean_environ

pytestmark = pytest.mark.browser
FILES = ROOT / "tests" / "activities" / "files"


def test_import_filter_open_and_live_from_the_watched_folder(
    live_server_process: LiveServer, chromium_path: str, tmp_path: Path
) -> None:
    server = live_server_process
    server.shell(SETUP)
    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        sign_in(page, server.url)
        page.goto(server.url + "/dashboard/")
        expect(page.locator("#dashboard-body")).to_contain_text("No activities recorded yet")

        # a malformed file is refused with its lines
        page.click("text=Import a statement")
        page.set_input_files("input[type=file]", str(FILES / "bad-amount.csv"))
        page.click("button:has-text('Preview')")
        expect(page.locator("#import-problems")).to_contain_text("line 3: cannot read the amount")

        page.set_input_files("input[type=file]", str(FILES / "chase.csv"))
        page.click("button:has-text('Preview')")
        expect(page.locator("#import-summary")).to_contain_text("Chase")
        expect(page.locator("#import-summary")).to_contain_text("4 new")
        page.click("button:has-text('Import 4 transactions')")
        expect(page.locator(".toast")).to_contain_text("Imported 4 transaction(s)")
        rows = page.locator("#activity-rows tr.activity-row")
        expect(rows).to_have_count(4)
        expect(page.locator("#chart-by-category .main-svg").first).to_be_visible()

        # search: charts and list together, in the URL
        page.fill("input[name=q]", "starbucks")
        expect(rows).to_have_count(2)
        expect(page).to_have_url(re.compile(r"[?&]q=starbucks"))
        expect(page.locator(".facts")).to_contain_text("11.50 USD")
        page.locator("#activity-rows a", has_text="STARBUCKS").first.click()
        expect(page.locator("h1")).to_have_text("STARBUCKS 456")
        expect(page.locator(".activity-detail")).to_contain_text("-5.75 USD")
        expect(page.locator(".raw-details")).to_contain_text("'line'")
        page.go_back()
        expect(page.locator("input[name=q]")).to_have_value("starbucks")
        expect(rows).to_have_count(2)

        # a statement dropped into the real agent's watched folder shows up, live
        page.click("a:has-text('Clear')")
        expect(rows).to_have_count(4)
        token_file = tmp_path / "token.txt"
        _computer(server, token_file)
        folder = tmp_path / "Statements"
        config = tmp_path / "agent" / "config.toml"
        agent_cmd = [sys.executable, "-m", "agent_bridge.local_agent", "--config", str(config)]
        env = {**clean_environ(), "PYTHONUNBUFFERED": "1", "HOME": str(tmp_path)}
        subprocess.run(
            [*agent_cmd, "pair", "--server", server.url, "--token", token_file.read_text()],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        text = config.read_text()
        text = text.replace('folder = "~/LMO Statements"', f'folder = "{folder}"')
        config.write_text(text.replace("poll_seconds = 30", "poll_seconds = 1"))
        running = subprocess.Popen(
            [*agent_cmd, "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            expect(page.locator("#live-status")).to_have_attribute("data-state", "online")
            folder.mkdir(exist_ok=True)
            shutil.copy(FILES / "monzo.csv", folder / "monzo.csv")
            expect(rows).to_have_count(7, timeout=30_000)
            expect(page.locator("#activity-rows")).to_contain_text("Pret A Manger")
            page.fill("input[name=q]", "")
            _screenshot(page, "dashboard", tmp_path)
        finally:
            running.terminate()
            running.wait(10)
        browser.close()
