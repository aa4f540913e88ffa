"""The local agent's own parts: its policy (folders, shell allow-list), config, state
and outbox, and browser-history reading from real Chrome and Firefox schema files."""

from __future__ import annotations

import asyncio
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent_bridge.local_agent.config import (
    ConfigError,
    load,
    save_token,
    websocket_url,
    write_initial,
)
from agent_bridge.local_agent.connectors import ActionError
from agent_bridge.local_agent.connectors.filesystem import Files
from agent_bridge.local_agent.connectors.shell import Shell
from agent_bridge.local_agent.history import read_visits
from agent_bridge.local_agent.state import State
from tests.history_files import chrome_history, firefox_history


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "allowed"
    (base / "docs").mkdir(parents=True)
    (base / "docs" / "report.pdf").write_bytes(b"%PDF-1.7 quarterly")
    (base / "notes.txt").write_text("buy milk\nfind the invoice\n")
    (base / ".hidden").write_text("x")
    (tmp_path / "secret.txt").write_text("outside")
    return base


@pytest.fixture
def files(root: Path) -> Files:
    return Files([root], read_max_bytes=10)


def test_list_read_search_write_inside_the_root(files: Files, root: Path) -> None:
    listing = files.list({"path": str(root)})
    assert [e["name"] for e in listing["entries"]] == ["docs", "notes.txt"]
    assert listing["entries"][0]["type"] == "dir"
    read = files.read({"path": "notes.txt"})  # relative to the first root
    assert read["content"] == "buy milk\nf" and read["truncated"] and read["size"] == 26
    found = files.search({"path": str(root), "name": "REPORT"})
    assert [e["name"] for e in found["entries"]] == ["docs/report.pdf"]
    by_content = files.search({"path": str(root), "content": "invoice"})
    assert [e["name"] for e in by_content["entries"]] == ["notes.txt"]
    files.write({"path": str(root / "new.txt"), "content": "hi"})
    assert (root / "new.txt").read_text() == "hi"
    with pytest.raises(ActionError, match="exists"):
        files.write({"path": str(root / "new.txt"), "content": "again"})


@pytest.mark.parametrize(
    "path",
    ["../secret.txt", "docs/../../secret.txt", "/etc/passwd", "~/../../etc", "/", "a\x00b"],
)
def test_escapes_are_refused(files: Files, path: str) -> None:
    with pytest.raises(ActionError) as caught:
        files.read({"path": path})
    assert caught.value.code == "refused"


def test_symlinks_that_lead_out_are_refused(files: Files, root: Path, tmp_path: Path) -> None:
    (root / "escape").symlink_to(tmp_path / "secret.txt")
    (root / "escape_dir").symlink_to(tmp_path)
    for path in ("escape", "escape_dir/secret.txt"):
        with pytest.raises(ActionError, match="outside"):
            files.read({"path": str(root / path)})
    with pytest.raises(ActionError):
        files.write({"path": str(root / "escape_dir" / "planted.txt"), "content": "x"})
    with pytest.raises(ActionError, match="link"):
        files.write({"path": str(root / "escape"), "content": "x", "mode": "overwrite"})
    assert (tmp_path / "secret.txt").read_text() == "outside"
    assert not (tmp_path / "planted.txt").exists()
    listing = files.list({"path": str(root)})
    assert {"escape": "link"}.items() <= {e["name"]: e["type"] for e in listing["entries"]}.items()


def _shell(**kwargs: Any) -> Shell:
    return Shell(
        kwargs.pop("allow", ["echo", "git status"]),
        kwargs.pop("timeout", 5),
        kwargs.pop("cap", 100),
    )


def test_shell_runs_only_the_allow_list_without_a_shell() -> None:
    result = asyncio.run(_shell().run({"command": "echo $HOME; rm -rf / | cat"}))
    assert result["exit_code"] == 0
    assert result["stdout"] == "$HOME; rm -rf / | cat\n"  # no interpolation, no pipes
    for command in ("rm -rf /tmp/x", "git push", "sh -c 'echo hi'", "/bin/echo hi"):
        with pytest.raises(ActionError) as caught:
            asyncio.run(_shell().run({"command": command}))
        assert caught.value.code == "refused", command


def test_shell_timeout_and_output_cap() -> None:
    with pytest.raises(ActionError) as caught:
        asyncio.run(_shell(allow=["sleep"], timeout=0.2).run({"command": "sleep 5"}))
    assert caught.value.code == "timeout"
    big = asyncio.run(_shell(allow=["seq"], cap=50).run({"command": "seq 1 1000"}))
    assert len(big["stdout"]) == 50 and big["truncated"]


def test_plain_ws_only_to_this_computer() -> None:
    assert websocket_url("http://127.0.0.1:8000") == "ws://127.0.0.1:8000/ws/agent/"
    assert websocket_url("https://lmo.example.com/base/") == "wss://lmo.example.com/base/ws/agent/"
    assert websocket_url("http://[::1]:8000") == "ws://[::1]:8000/ws/agent/"
    with pytest.raises(ConfigError, match="unencrypted"):
        websocket_url("http://lmo.example.com")
    assert websocket_url("http://lmo.lan", insecure=True) == "ws://lmo.lan/ws/agent/"


def test_config_is_written_once_and_the_token_is_private(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "config.toml"
    write_initial(path, server="http://127.0.0.1:8000", name="desk", insecure=False)
    token_path = save_token(path, "lmo_at_secret")
    assert stat.S_IMODE(os.stat(token_path).st_mode) == 0o600
    config = load(path)
    assert config.name == "desk" and config.read_token() == "lmo_at_secret"
    assert config.shell_allow and config.enabled("filesystem")
    path.write_text(path.read_text().replace("shell = true", "shell = false"))
    write_initial(path, server="http://127.0.0.1:9000", name="other", insecure=False)
    config = load(path)
    assert config.server == "http://127.0.0.1:9000" and not config.enabled("shell")  # policy kept
    path.write_text("server = [")
    with pytest.raises(ConfigError, match="TOML"):
        load(path)


def test_state_survives_restarts_and_never_runs_twice(tmp_path: Path) -> None:
    state = State(tmp_path / "state.sqlite3")
    assert state.begin("r1") == ("new", None)
    assert state.holding() == ["r1"]
    state.close()
    state = State(tmp_path / "state.sqlite3")
    assert state.interrupted() == ["r1"]
    assert state.begin("r1") == ("started", None)
    state.finish("r1", {"id": "r1", "ok": True})
    assert state.begin("r1") == ("done", {"id": "r1", "ok": True})
    assert state.undelivered() == [{"id": "r1", "ok": True}]
    state.delivered("r1")
    assert state.holding() == [] and state.begin("r1")[0] == "done"


def test_outbox_deletes_only_what_was_answered(tmp_path: Path) -> None:
    state = State(tmp_path / "state.sqlite3")
    assert state.put([{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "a"}]) == 3
    batch, items = state.next_batch(2) or ("", [])
    assert [i["id"] for i in items] == ["a", "b"]
    state.acknowledge(batch, ["a"])  # b was not answered: offered again
    state.close()
    state = State(tmp_path / "state.sqlite3")
    state.release()
    _, items = state.next_batch(10) or ("", [])
    assert [i["id"] for i in items] == ["b", "c"]
    assert state.outbox_size() == 2


def test_history_from_chrome_and_firefox_files(tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    visits = [
        (
            "https://boards.greenhouse.io/acme/jobs/1/confirmation",
            "Application submitted",
            now - timedelta(hours=1),
        ),
        ("https://old.example.com/", "Old", now - timedelta(days=30)),
    ]
    chrome_history(tmp_path / "History", visits)
    firefox = firefox_history(tmp_path / "places.sqlite", visits)
    assert (tmp_path / "places.sqlite-wal").stat().st_size > 0
    since = now - timedelta(days=7)
    for browser, path in (
        ("chrome", tmp_path / "History"),
        ("firefox", tmp_path / "places.sqlite"),
    ):
        found = read_visits(browser, path, since=since, limit=10)
        assert [(v.url, v.title, v.browser) for v in found] == [
            (visits[0][0], visits[0][1], browser)
        ]
        assert abs((found[0].visited_at - visits[0][2]).total_seconds()) < 1
    firefox.close()
