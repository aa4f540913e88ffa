"""Reading browser history from Chrome/Chromium and Firefox profile files. Browsers lock
their SQLite files while running, so each file (and its WAL) is copied first and the copy
is read."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

CHROME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Visit:
    url: str
    title: str
    visited_at: datetime
    browser: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "visited_at": self.visited_at.isoformat(timespec="seconds"),
            "browser": self.browser,
        }


def default_history_files() -> list[tuple[str, Path]]:
    home = Path.home()
    if sys.platform == "darwin":
        base = home / "Library" / "Application Support"
        patterns = [
            ("chrome", base / "Google/Chrome/*/History"),
            ("chromium", base / "Chromium/*/History"),
            ("firefox", base / "Firefox/Profiles/*/places.sqlite"),
        ]
    elif sys.platform == "win32":
        local = Path(os.environ.get("LOCALAPPDATA", home))
        roaming = Path(os.environ.get("APPDATA", home))
        patterns = [
            ("chrome", local / "Google/Chrome/User Data/*/History"),
            ("chromium", local / "Chromium/User Data/*/History"),
            ("firefox", roaming / "Mozilla/Firefox/Profiles/*/places.sqlite"),
        ]
    else:
        config = Path(os.environ.get("XDG_CONFIG_HOME", home / ".config"))
        patterns = [
            ("chrome", config / "google-chrome/*/History"),
            ("chromium", config / "chromium/*/History"),
            ("firefox", home / ".mozilla/firefox/*/places.sqlite"),
        ]
    return [(name, Path(p)) for name, pattern in patterns for p in sorted(glob.glob(str(pattern)))]


def _copy(path: Path, folder: str) -> Path:
    target = Path(folder) / path.name
    shutil.copy2(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            shutil.copy2(side, target.with_name(target.name + suffix))
    return target


def read_visits(browser: str, path: Path, *, since: datetime, limit: int) -> list[Visit]:
    """Visits after ``since``, newest first, from one history file (of ``browser``'s
    schema: chrome/chromium or firefox)."""
    with tempfile.TemporaryDirectory(prefix="lmo-history-") as folder:
        copy = _copy(path, folder)
        db = sqlite3.connect(copy)
        try:
            if browser == "firefox":
                micros = int(since.timestamp() * 1_000_000)
                rows = db.execute(
                    "SELECT p.url, COALESCE(p.title, ''), v.visit_date FROM moz_historyvisits v "
                    "JOIN moz_places p ON p.id = v.place_id WHERE v.visit_date > ? "
                    "ORDER BY v.visit_date DESC LIMIT ?",
                    (micros, limit),
                ).fetchall()
                to_time = [datetime.fromtimestamp(r[2] / 1_000_000, UTC) for r in rows]
            else:
                micros = int((since - CHROME_EPOCH).total_seconds() * 1_000_000)
                rows = db.execute(
                    "SELECT u.url, COALESCE(u.title, ''), v.visit_time FROM visits v "
                    "JOIN urls u ON u.id = v.url WHERE v.visit_time > ? "
                    "ORDER BY v.visit_time DESC LIMIT ?",
                    (micros, limit),
                ).fetchall()
                to_time = [CHROME_EPOCH + timedelta(microseconds=r[2]) for r in rows]
        finally:
            db.close()
    return [Visit(r[0], r[1], t, browser) for r, t in zip(rows, to_time, strict=True)]


def history_files(extra: list[dict[str, str]]) -> list[tuple[str, Path]]:
    files = default_history_files()
    for entry in extra:
        browser = str(entry.get("browser", "chrome"))
        files.append((browser, Path(str(entry.get("path", ""))).expanduser()))
    return [(b, p) for b, p in files if p.is_file()]
