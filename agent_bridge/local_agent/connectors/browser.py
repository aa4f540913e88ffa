"""The browser: open a page in the default browser; read recent history."""

from __future__ import annotations

import sqlite3
import webbrowser
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from agent_bridge.local_agent.connectors import Action, ActionError, Connector, obj
from agent_bridge.local_agent.history import history_files, read_visits

NAME = "browser"


def open_url(params: dict[str, Any]) -> dict[str, Any]:
    url = params["url"].strip()
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ActionError("refused", "Only http and https pages are opened.")
    if not webbrowser.open(url, new=2):
        raise ActionError("failed", "No web browser could be started on this computer.")
    return {"opened": url}


def build(config: Any) -> Connector:
    def history(params: dict[str, Any]) -> dict[str, Any]:
        wanted = params.get("browser", "all")
        since = datetime.now(UTC) - timedelta(days=int(params.get("days", 7)))
        limit = int(params.get("limit", 200))
        visits = []
        for browser, path in history_files(config.history_files):
            if wanted != "all" and browser != wanted:
                continue
            try:
                visits.extend(read_visits(browser, path, since=since, limit=limit))
            except (OSError, sqlite3.Error) as exc:
                raise ActionError("failed", f"Cannot read {browser} history: {exc}") from None
        visits.sort(key=lambda v: v.visited_at, reverse=True)
        return {"visits": [v.as_dict() for v in visits[:limit]]}

    connector = Connector(NAME, "The web browser on this computer.")
    connector.add(
        Action(
            "open",
            "Open a web page in the default browser.",
            obj({"url": {"type": "string", "minLength": 3, "maxLength": 2000}}, ("url",)),
            open_url,
        )
    )
    connector.add(
        Action(
            "history",
            "Recent pages visited in Chrome, Chromium or Firefox.",
            obj(
                {
                    "browser": {"enum": ["all", "chrome", "chromium", "firefox"]},
                    "days": {"type": "integer", "minimum": 1, "maximum": 365},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 1000},
                }
            ),
            history,
        )
    )
    return connector
