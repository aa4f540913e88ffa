"""The agent's own SQLite file: the commands it has taken (so none runs twice, and a
result survives a dropped connection until the server acknowledges it) and the outbox
of activities (uploaded in batches, deleted only once acknowledged)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

KEEP_RUNS_SECONDS = 14 * 24 * 3600

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,            -- started | done
    result TEXT,                    -- the result frame (JSON), once done
    delivered INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    item TEXT NOT NULL,
    batch TEXT,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_batch ON outbox(batch);
CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,           -- listener checkpoints, files read, server tracking
    value TEXT NOT NULL
);
"""


class State:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # --- commands -------------------------------------------------------------------------
    def begin(self, run_id: str) -> tuple[str, dict[str, Any] | None]:
        """Claim a command: ("new", None) the first time; ("done", result) if it ran
        already; ("started", None) if it started before and never finished."""
        row = self.db.execute("SELECT state, result FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO runs (id, state, updated) VALUES (?, 'started', ?)",
                (run_id, time.time()),
            )
            return "new", None
        return row[0], json.loads(row[1]) if row[1] else None

    def finish(self, run_id: str, result: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET state = 'done', result = ?, delivered = 0, updated = ? WHERE id = ?",
            (json.dumps(result), time.time(), run_id),
        )

    def delivered(self, run_id: str) -> None:
        self.db.execute("UPDATE runs SET delivered = 1, result = NULL WHERE id = ?", (run_id,))

    def interrupted(self) -> list[str]:
        """Commands a previous process started and never finished (it was killed)."""
        return [r[0] for r in self.db.execute("SELECT id FROM runs WHERE state = 'started'")]

    def undelivered(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT result FROM runs WHERE state = 'done' AND delivered = 0 ORDER BY updated"
        )
        return [json.loads(r[0]) for r in rows]

    def holding(self) -> list[str]:
        rows = self.db.execute(
            "SELECT id FROM runs WHERE state = 'started' OR (state = 'done' AND delivered = 0)"
        )
        return [r[0] for r in rows]

    def prune(self) -> None:
        self.db.execute(
            "DELETE FROM runs WHERE delivered = 1 AND updated < ?",
            (time.time() - KEEP_RUNS_SECONDS,),
        )

    # --- outbox ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        # The connection is in autocommit mode (isolation_level=None): begin explicitly.
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def put(self, items: list[dict[str, Any]]) -> int:
        """Queue activities (each with a stable ``id``); a known id is not queued twice."""
        with self._transaction():
            return self._put(items)

    def _put(self, items: list[dict[str, Any]]) -> int:
        added = 0
        for item in items:
            event_id = str(item.get("id") or uuid.uuid4())
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO outbox (event_id, item, created) VALUES (?, ?, ?)",
                (event_id, json.dumps({**item, "id": event_id}), time.time()),
            )
            added += cursor.rowcount
        return added

    def next_batch(self, size: int) -> tuple[str, list[dict[str, Any]]] | None:
        batch = uuid.uuid4().hex
        with self._transaction():
            self.db.execute(
                "UPDATE outbox SET batch = ? WHERE seq IN "
                "(SELECT seq FROM outbox WHERE batch IS NULL ORDER BY seq LIMIT ?)",
                (batch, size),
            )
            rows = self.db.execute(
                "SELECT item FROM outbox WHERE batch = ? ORDER BY seq", (batch,)
            ).fetchall()
        if not rows:
            return None
        return batch, [json.loads(r[0]) for r in rows]

    def acknowledge(self, batch: str, answered: list[str]) -> None:
        """Delete what the server answered; what it did not is offered again."""
        with self._transaction():
            self.db.executemany(
                "DELETE FROM outbox WHERE batch = ? AND event_id = ?",
                [(batch, i) for i in answered],
            )
            self.db.execute("UPDATE outbox SET batch = NULL WHERE batch = ?", (batch,))

    def release(self, batch: str | None = None) -> None:
        if batch is None:
            self.db.execute("UPDATE outbox SET batch = NULL")
        else:
            self.db.execute("UPDATE outbox SET batch = NULL WHERE batch = ?", (batch,))

    # --- listener memory ------------------------------------------------------------------
    def get(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set(self, key: str, value: Any) -> None:
        self.db.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    def put_and_set(self, items: list[dict[str, Any]], key: str, value: Any) -> int:
        """Queue ``items`` and remember ``key`` in one transaction (a file counts as read
        only if its activities are queued)."""
        with self._transaction():
            added = self._put(items)
            self.set(key, value)
        return added

    def outbox_size(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])
