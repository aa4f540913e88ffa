"""The agent's listeners against real files: statements dropped into a temp folder, and
browser history in the Chrome and Firefox schemas; switches, and the offline outbox."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent_bridge.local_agent.config import ConfigError, load, write_initial
from agent_bridge.local_agent.history import Visit
from agent_bridge.local_agent.listeners import Tracking, build_listeners
from agent_bridge.local_agent.listeners.browsing import HistoryWatcher
from agent_bridge.local_agent.listeners.folder import StatementFolder
from agent_bridge.local_agent.listeners.rules import activity_for, rules_from_config
from agent_bridge.local_agent.state import State
from tests.history_files import chrome_history, firefox_history

FILES = Path(__file__).parent / "files"
NOW = datetime.now(UTC).replace(microsecond=0)


def _settled(path: Path) -> None:
    old = time.time() - 60
    os.utime(path, (old, old))


def _outbox(state: State) -> list[dict[str, object]]:
    batch = state.next_batch(1000)
    if batch is None:
        return []
    state.release(batch[0])
    return batch[1]


def test_statements_dropped_in_the_folder_are_queued_once(tmp_path: Path) -> None:
    folder = tmp_path / "Statements"
    folder.mkdir()
    state = State(tmp_path / "state.sqlite3")
    listener = StatementFolder(folder, state)
    for name in ("chase.csv", "bank-v1.ofx", "bad-amount.csv"):
        shutil.copy(FILES / name, folder / name)
        _settled(folder / name)
    (folder / "notes.txt").write_text("not a statement")
    assert listener.scan(Tracking()) == 6  # 4 from Chase, 2 from the OFX; the bad file skipped
    assert listener.scan(Tracking()) == 0  # unchanged files are not read again
    outbox = _outbox(state)
    queued = [i for i in outbox if i["type"] == "financial"]
    assert {i["application"] for i in queued} == {"Chase", "Bank (OFX)"}
    # and one report per file read (LMO tells the user), the unreadable one too
    reports = {i["details"]["statement"]["file"]: i for i in outbox if i["type"] == "system"}  # type: ignore[index]
    assert set(reports) == {"chase.csv", "bank-v1.ofx", "bad-amount.csv"}
    assert reports["chase.csv"]["details"]["statement"]["transactions"] == 4  # type: ignore[index]
    assert "line" in reports["bad-amount.csv"]["details"]["statement"]["error"]  # type: ignore[index]
    assert [i["type"] for i in outbox][-1] == "system"  # after the transactions
    # the same statement downloaded again under another name adds nothing
    shutil.copy(FILES / "chase.csv", folder / "chase (1).csv")
    _settled(folder / "chase (1).csv")
    assert listener.scan(Tracking()) == 0
    assert state.outbox_size() == 6 + 3  # the same content is reported once


def test_a_file_still_being_written_waits(tmp_path: Path) -> None:
    state = State(tmp_path / "state.sqlite3")
    shutil.copy(FILES / "monzo.csv", tmp_path / "monzo.csv")
    listener = StatementFolder(tmp_path, state)
    assert listener.scan(Tracking(), now=time.time()) == 0
    assert listener.scan(Tracking(), now=time.time() + 10) == 3


def test_switched_off_financial_tracking_reads_nothing(tmp_path: Path) -> None:
    state = State(tmp_path / "state.sqlite3")
    shutil.copy(FILES / "monzo.csv", tmp_path / "monzo.csv")
    _settled(tmp_path / "monzo.csv")
    listener = StatementFolder(tmp_path, state)
    assert listener.scan(Tracking(disabled_types={"financial"})) == 0
    assert listener.scan(Tracking(disabled_applications={"monzo"})) == 0  # read, all dropped
    (report,) = _outbox(state)  # only what was read: 3 transactions, none tracked
    assert report["details"]["statement"]["skipped"] == 3  # type: ignore[index]


VISITS = [
    (
        "https://boards.greenhouse.io/acme/jobs/4012345/confirmation",
        "Job Application for Backend Engineer at Acme",
        NOW - timedelta(hours=3),
    ),
    (
        "https://jobs.lever.co/globex/1b2c3d4e-1111-2222-3333-444455556666/thanks",
        "Globex - Application submitted",
        NOW - timedelta(hours=2),
    ),
    (
        "https://initech.wd5.myworkdayjobs.com/en-US/careers/job/Data-Analyst_R123/apply",
        "Application Submitted",
        NOW - timedelta(hours=1),
    ),
    (
        "https://jobs.ashbyhq.com/hooli/7a8b9c0d-1111-2222-3333-444455556666/application/success",
        "Hooli",
        NOW - timedelta(minutes=50),
    ),
    (
        "https://www.linkedin.com/jobs/view/3901234567/post-apply/",
        "Platform Engineer | Umbrella | LinkedIn",
        NOW - timedelta(minutes=40),
    ),
    (
        "https://www.amazon.com/gp/buy/thankyou/handlers/display.html",
        "Amazon.com Thanks You",
        NOW - timedelta(minutes=30),
    ),
    (
        "https://boards.greenhouse.io/acme/jobs/4012345",
        "Backend Engineer at Acme",
        NOW - timedelta(minutes=20),
    ),
    ("https://news.example.com/", "News", NOW - timedelta(minutes=10)),
]


def test_job_applications_and_purchases_from_chrome_and_firefox(tmp_path: Path) -> None:
    chrome_history(tmp_path / "History", VISITS)
    firefox = firefox_history(tmp_path / "places.sqlite", VISITS)
    rules = rules_from_config({})
    for browser, path in (
        ("chrome", tmp_path / "History"),
        ("firefox", tmp_path / "places.sqlite"),
    ):
        state = State(tmp_path / f"{browser}.sqlite3")
        watcher = HistoryWatcher([(browser, path)], state, rules)
        assert watcher.scan(Tracking()) == 6
        assert watcher.scan(Tracking()) == 0  # read from where it stopped
        items = sorted(_outbox(state), key=lambda i: str(i["timestamp"]))
        assert [(i["type"], i["application"], i.get("company"), i.get("role")) for i in items] == [
            ("job", "Greenhouse", "Acme", "Backend Engineer"),
            ("job", "Lever", "Globex", ""),
            ("job", "Workday", "Initech", ""),
            ("job", "Ashby", "Hooli", ""),
            ("job", "LinkedIn Easy Apply", "Umbrella", "Platform Engineer"),
            ("browser", "Amazon", None, None),
        ]
        assert items[-1]["tags"] == ["purchase"]
        assert items[0]["details"]["browser"] == browser  # type: ignore[index]
    firefox.close()


def test_rules_from_the_config_extend_or_replace_the_defaults() -> None:
    visit = Visit("https://acme.jobs.personio.de/job/42/applied", "Applied", NOW, "chrome")
    assert activity_for(visit, rules_from_config({})) is None
    rules = rules_from_config(
        {
            "jobs": [
                {
                    "name": "Personio",
                    "url": r"https://(?P<company>[\w-]+)\.jobs\.personio\.de/.*/applied",
                }
            ]
        }
    )
    item = activity_for(visit, rules)
    assert item is not None and (item["application"], item["company"]) == ("Personio", "Acme")
    greenhouse = Visit(VISITS[0][0], VISITS[0][1], NOW, "chrome")
    assert activity_for(greenhouse, rules_from_config({"defaults": False})) is None
    with pytest.raises(ValueError, match="needs a name and a url"):
        rules_from_config({"jobs": [{"url": "x"}]})


def test_switched_off_applications_are_not_captured(tmp_path: Path) -> None:
    chrome_history(tmp_path / "History", VISITS)
    state = State(tmp_path / "state.sqlite3")
    watcher = HistoryWatcher([("chrome", tmp_path / "History")], state, rules_from_config({}))
    assert (
        watcher.scan(
            Tracking(disabled_types={"browser"}, disabled_applications={"linkedin easy apply"})
        )
        == 4
    )


def test_listeners_follow_the_config_switches(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    write_initial(path, server="http://127.0.0.1:8000", name="laptop", insecure=False)
    text = path.read_text().replace('folder = "~/LMO Statements"', f'folder = "{tmp_path / "in"}"')
    path.write_text(text)
    config = load(path)
    assert config.listeners == {"statements": True, "history": True}
    state = State(tmp_path / "state.sqlite3")
    assert [type(x).__name__ for x in build_listeners(config, state)] == [
        "StatementFolder",
        "HistoryWatcher",
    ]
    assert (tmp_path / "in").is_dir()
    path.write_text(
        text.replace("statements = true", "statements = false").replace(
            "history = true", "history = false"
        )
    )
    assert build_listeners(load(path), state) == []
    path.write_text(text + '\n[[activity_rules.jobs]]\nname = "Bad"\nurl = "(unclosed"\n')
    with pytest.raises(ConfigError, match="activity_rules"):
        load(path)
