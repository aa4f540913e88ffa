"""The watched folder: bank statements (CSV, OFX, QFX) dropped into it become financial
activities. A file is read once it has stopped changing, and again only if it changes;
one that cannot be read is reported in the log and left alone."""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from agent_bridge.local_agent.listeners import Tracking
from agent_bridge.local_agent.state import State
from agent_bridge.local_agent.statements import StatementError, is_statement, read_statement

log = logging.getLogger("lmo.agent.statements")
SETTLE_SECONDS = 2.0


class StatementFolder:
    def __init__(
        self,
        folder: Path,
        state: State,
        *,
        mappings: dict[str, dict[str, Any]] | None = None,
        categories: dict[str, list[str]] | None = None,
    ) -> None:
        self.folder = folder
        self.state = state
        self.mappings = mappings or {}
        self.categories = categories

    def scan(self, tracking: Tracking, *, now: float | None = None) -> int:
        """Read new or changed statements; returns how many activities were queued."""
        if "financial" in tracking.disabled_types or not self.folder.is_dir():
            return 0
        now = time.time() if now is None else now
        queued = 0
        for path in sorted(self.folder.iterdir()):
            if not path.is_file() or not is_statement(path) or path.name.startswith("."):
                continue
            stat = path.stat()
            if now - stat.st_mtime < SETTLE_SECONDS:
                continue  # still being written (a download in progress)
            key = f"file:{path.resolve()}"
            signature = f"{stat.st_size}:{stat.st_mtime_ns}"
            known = self.state.get(key)
            if known and known.get("signature") == signature:
                continue
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if known and known.get("sha256") == digest:
                self.state.set(key, {**known, "signature": signature})
                continue
            record: dict[str, Any] = {"signature": signature, "sha256": digest, "read_at": now}
            try:
                statement = read_statement(
                    path.name, data, mappings=self.mappings, categories=self.categories
                )
            except StatementError as exc:
                log.warning("cannot read the statement %s: %s", path, exc)
                self.state.set(key, {**record, "error": str(exc)})
                continue
            items = [i for i in statement.items() if tracking.allows(i)]
            added = self.state.put_and_set(items, key, {**record, "count": len(items)})
            log.info(
                "%s: %s transactions (%s new) as %s", path.name, len(items), added, statement.layout
            )
            queued += added
        return queued
