"""Browser history files in the real Chrome and Firefox schemas (for listener tests)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from agent_bridge.local_agent.history import CHROME_EPOCH


def chrome_history(path: Path, visits: list[tuple[str, str, datetime]]) -> None:
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title LONGVARCHAR,"
        " visit_count INTEGER DEFAULT 0 NOT NULL, typed_count INTEGER DEFAULT 0 NOT NULL,"
        " last_visit_time INTEGER NOT NULL, hidden INTEGER DEFAULT 0 NOT NULL);"
        "CREATE TABLE visits(id INTEGER PRIMARY KEY, url INTEGER NOT NULL, visit_time INTEGER NOT NULL,"
        " from_visit INTEGER, transition INTEGER DEFAULT 0 NOT NULL, segment_id INTEGER);"
    )
    for url, title, when in visits:
        micros = int((when - CHROME_EPOCH).total_seconds() * 1_000_000)
        cursor = db.execute(
            "INSERT INTO urls(url, title, visit_count, last_visit_time) VALUES (?, ?, 1, ?)",
            (url, title, micros),
        )
        db.execute("INSERT INTO visits(url, visit_time) VALUES (?, ?)", (cursor.lastrowid, micros))
    db.commit()
    db.close()


def firefox_history(path: Path, visits: list[tuple[str, str, datetime]]) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")  # as Firefox keeps it
    db.executescript(
        "CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,"
        " rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, last_visit_date INTEGER, guid TEXT);"
        "CREATE TABLE moz_historyvisits(id INTEGER PRIMARY KEY, from_visit INTEGER, place_id INTEGER,"
        " visit_date INTEGER, visit_type INTEGER, session INTEGER);"
    )
    for url, title, when in visits:
        micros = int(when.timestamp() * 1_000_000)
        cursor = db.execute(
            "INSERT INTO moz_places(url, title, visit_count, last_visit_date) VALUES (?, ?, 1, ?)",
            (url, title, micros),
        )
        db.execute(
            "INSERT INTO moz_historyvisits(place_id, visit_date, visit_type) VALUES (?, ?, 1)",
            (cursor.lastrowid, micros),
        )
    db.commit()
    return db  # left open, its visits still in the WAL: as while Firefox runs
