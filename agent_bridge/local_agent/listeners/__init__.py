"""The agent's listeners: they notice activity on this computer (bank statements in a
watched folder, job applications and purchases in the browser history) and queue it in
the outbox, which is uploaded when connected. Each can be switched off in the config;
the server's tracking switches (``hello_ok.config`` / ``config`` frames) also apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Tracking:
    """What the user switched off on the server (kept in the state across restarts)."""

    disabled_types: set[str] = field(default_factory=set)
    disabled_applications: set[str] = field(default_factory=set)

    @classmethod
    def from_config(cls, config: dict[str, object]) -> Tracking:
        raw = config.get("tracking") if isinstance(config, dict) else None
        if not isinstance(raw, dict):
            return cls()
        return cls(
            {str(t) for t in raw.get("disabled_types", []) or []},
            {str(a).lower() for a in raw.get("disabled_applications", []) or []},
        )

    def allows(self, item: dict[str, object]) -> bool:
        if str(item.get("type")) in self.disabled_types:
            return False
        return str(item.get("application", "")).lower() not in self.disabled_applications


class Listener(Protocol):
    def scan(self, tracking: Tracking) -> int: ...


def build_listeners(config: Any, state: Any) -> list[Listener]:
    """The listeners the config switches on."""
    from agent_bridge.local_agent.history import history_files
    from agent_bridge.local_agent.listeners.browsing import HistoryWatcher
    from agent_bridge.local_agent.listeners.folder import StatementFolder
    from agent_bridge.local_agent.listeners.rules import rules_from_config

    listeners: list[Listener] = []
    if config.listeners.get("statements"):
        config.statements_folder.mkdir(parents=True, exist_ok=True)
        listeners.append(
            StatementFolder(
                config.statements_folder,
                state,
                mappings=config.statement_mappings,
                categories=config.categories,
            )
        )
    if config.listeners.get("history"):
        files = history_files(config.history_files)
        listeners.append(HistoryWatcher(files, state, rules_from_config(config.activity_rules)))
    return listeners
