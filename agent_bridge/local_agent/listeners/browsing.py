"""Browser history: visits to job-application and purchase confirmation pages become
activities. Each history file is read from where the last scan stopped."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent_bridge.local_agent.history import read_visits
from agent_bridge.local_agent.listeners import Tracking
from agent_bridge.local_agent.listeners.rules import Rule, activity_for
from agent_bridge.local_agent.state import State

log = logging.getLogger("lmo.agent.history")
FIRST_LOOK_BACK = timedelta(days=30)
MAX_VISITS = 20_000


class HistoryWatcher:
    def __init__(self, files: list[tuple[str, Path]], state: State, rules: list[Rule]) -> None:
        self.files = files
        self.state = state
        self.rules = rules

    def scan(self, tracking: Tracking, *, now: datetime | None = None) -> int:
        now = now or datetime.now(UTC)
        queued = 0
        for browser, path in self.files:
            key = f"history:{browser}:{path}"
            checkpoint = self.state.get(key)
            since = datetime.fromisoformat(checkpoint) if checkpoint else now - FIRST_LOOK_BACK
            try:
                visits = read_visits(browser, path, since=since, limit=MAX_VISITS)
            except (OSError, sqlite3.Error) as exc:
                log.warning("cannot read %s history %s: %s", browser, path, exc)
                continue
            items = []
            for visit in visits:
                item = activity_for(visit, self.rules)
                if item is not None and tracking.allows(item):
                    items.append(item)
            newest = max((v.visited_at for v in visits), default=since)
            queued += self.state.put_and_set(items, key, newest.isoformat())
        return queued
