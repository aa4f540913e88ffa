"""The watched folder: bank statements (CSV, OFX, QFX) dropped into it become financial
activities. A file is read once it has stopped changing, and again only if it changes;
one that cannot be read is reported in the log and left alone."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent_bridge.local_agent.listeners import Tracking
from agent_bridge.local_agent.state import State
from agent_bridge.local_agent.statements import (
    StatementError,
    first_problem,
    is_statement,
    read_statement,
)

log = logging.getLogger("lmo.agent.statements")
SETTLE_SECONDS = 2.0
REPORTER = "LMO agent"  # LMO tells these (activities.notices), never stores them


def folder_report(
    name: str,
    digest: str,
    now: float,
    *,
    transactions: int = 0,
    queued: int = 0,
    skipped: int = 0,
    layout: str = "",
    error: str = "",
) -> dict[str, Any]:
    """The system activity that tells LMO how a file of the folder was read (LMO notifies
    the user: "Statement read" or "Import failed"); one per file content."""
    when = datetime.fromtimestamp(now, UTC).isoformat()
    if error:
        text = f"Could not read the statement {name}: {error}"
    else:
        text = f"Read the statement {name}: {transactions} transactions"
    return {
        "id": f"statement-report:{digest}",
        "type": "system",
        "timestamp": when,
        "application": REPORTER,
        "description": text[:500],
        "details": {
            "statement": {
                "file": name[:255],
                "transactions": transactions,
                "queued": queued,
                "skipped": skipped,
                "layout": layout[:120],
                "error": error[:500],
            }
        },
    }


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
                report = folder_report(path.name, digest, now, error=first_problem(exc))
                self.state.put_and_set([report], key, {**record, "error": str(exc)})
                continue
            read = statement.items()
            items = [i for i in read if tracking.allows(i)]
            added = self.state.put_and_set(items, key, {**record, "count": len(items)})
            # After the transactions in the outbox, so LMO reads them first.
            self.state.put(
                [
                    folder_report(
                        path.name,
                        digest,
                        now,
                        transactions=len(read),
                        queued=added,
                        skipped=len(read) - len(items),
                        layout=statement.layout,
                    )
                ]
            )
            log.info(
                "%s: %s transactions (%s new) as %s", path.name, len(items), added, statement.layout
            )
            queued += added
        return queued
