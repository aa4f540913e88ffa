"""The agent's configuration: a TOML file in the user's config directory, the token in
a file beside it (mode 0600), and the local policy the agent enforces whatever the
server asks (allowed folders, allowed shell commands, connectors on or off)."""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from platformdirs import user_config_dir

CONNECTORS = ("filesystem", "browser", "shell", "apps", "system")


class ConfigError(Exception):
    """The configuration cannot be used; the message says how to fix it."""


def default_config_path() -> Path:
    override = os.environ.get("LMO_AGENT_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(user_config_dir("lmo-agent", appauthor=False)) / "config.toml"


INITIAL = """\
# LMO agent configuration. The agent enforces this policy whatever the server asks.
server = {server}
name = {name}
# Allow plain ws:// to a host that is not this computer (not recommended).
insecure = {insecure}

[connectors]
filesystem = true
browser = true
shell = true
apps = true
system = true

[filesystem]
# The only folders the assistant may list, read, search or write in.
roots = ["~"]
read_max_bytes = 1048576

[shell]
# Commands allowed to run (a command runs if it starts with one of these).
allow = ["ls", "df -h", "uptime", "whoami", "git status", "git log --oneline"]
timeout_seconds = 30
max_output_bytes = 65536

[apps.launch]
# name = ["program", "arguments"]; e.g. calculator = ["gnome-calculator"]

[browser]
# Extra history files to read, besides Chrome/Chromium/Firefox profiles found by default:
# history_files = [{{ browser = "firefox", path = "~/custom/places.sqlite" }}]

[listeners]
# What this computer notices by itself and reports as activities (queued while offline).
statements = true   # bank statements dropped into the folder below
history = true      # job applications and purchases, from the browser history
poll_seconds = 30

[statements]
folder = "~/LMO Statements"
# A bank whose CSV is not recognised: name its columns (by header, or 1-based number), e.g.
# [statements.mappings.mybank]
# match = ["Buchungstag", "Betrag"]     # headers that identify it (or files = "dkb-*.csv")
# date = "Buchungstag"
# amount = "Betrag"                      # or debit = "..." and credit = "..."
# description = "Verwendungszweck"
# counterparty = "Beguenstigter/Zahlungspflichtiger"
# date_format = "%d.%m.%Y"
# decimal = ","
# delimiter = ";"
# currency_default = "EUR"
# application = "DKB"
# Extra category keywords: [statements.categories] groceries = ["corner shop"]

# Pages that are activities, besides the built-in rules (Greenhouse, Lever, Workday, Ashby,
# LinkedIn Easy Apply; Amazon, eBay, shop checkouts). Named groups fill in the activity:
# [[activity_rules.jobs]]
# name = "Personio"
# url = 'https://(?P<company>[\\w-]+)\\.jobs\\.personio\\.de/.*/applied'
# [[activity_rules.purchases]]
# name = "Bol"
# url = 'https://www\\.bol\\.com/.*/order-confirmation'

# Model Context Protocol servers (stdio) this agent hosts, e.g.:
# [mcp.time]
# command = "mcp-server-time"
# args = []
# env = {{}}
"""


@dataclass
class McpServer:
    name: str
    command: str
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Config:
    path: Path
    server: str = ""
    name: str = ""
    insecure: bool = False
    connectors: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(CONNECTORS, True))
    roots: list[Path] = field(default_factory=list)
    read_max_bytes: int = 1024 * 1024
    shell_allow: list[str] = field(default_factory=list)
    shell_timeout: float = 30.0
    max_output_bytes: int = 64 * 1024
    apps: dict[str, list[str]] = field(default_factory=dict)
    history_files: list[dict[str, str]] = field(default_factory=list)
    mcp: list[McpServer] = field(default_factory=list)
    listeners: dict[str, bool] = field(
        default_factory=lambda: {"statements": True, "history": True}
    )
    poll_seconds: float = 30.0
    statements_folder: Path = field(default_factory=lambda: Path.home() / "LMO Statements")
    statement_mappings: dict[str, dict[str, Any]] = field(default_factory=dict)
    categories: dict[str, list[str]] | None = None
    activity_rules: dict[str, Any] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def token_path(self) -> Path:
        return self.directory / "token"

    @property
    def state_path(self) -> Path:
        return self.directory / "state.sqlite3"

    def enabled(self, connector: str) -> bool:
        return bool(self.connectors.get(connector, False))

    def read_token(self) -> str | None:
        try:
            token = self.token_path.read_text().strip()
        except FileNotFoundError:
            return None
        return token or None

    def websocket_url(self) -> str:
        """The agent socket URL for ``server``; refuses plain ws:// off this computer."""
        return websocket_url(self.server, insecure=self.insecure)


def websocket_url(server: str, *, insecure: bool = False) -> str:
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
        raise ConfigError(f"The server address {server!r} must look like https://lmo.example.com.")
    secure = parts.scheme in ("https", "wss")
    if not secure and not insecure and not is_loopback(parts.hostname):
        raise ConfigError(
            f"Refusing an unencrypted connection to {parts.hostname}: use https:// "
            "(or pass --insecure if you really mean it)."
        )
    netloc = parts.netloc
    base = parts.path.rstrip("/")
    return f"{'wss' if secure else 'ws'}://{netloc}{base}/ws/agent/"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings.")
    return list(value)


def load(path: Path | None = None) -> Config:
    path = path or default_config_path()
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(
            f"No configuration at {path}. Pair first: "
            "python -m agent_bridge.local_agent pair --server https://your-lmo"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    config = Config(path=path)
    config.server = str(raw.get("server", ""))
    config.name = str(raw.get("name", "")) or socket.gethostname()
    config.insecure = bool(raw.get("insecure", False))
    for key, value in (raw.get("connectors") or {}).items():
        config.connectors[str(key)] = bool(value)
    fs = raw.get("filesystem") or {}
    config.roots = [
        Path(os.path.realpath(Path(r).expanduser()))
        for r in _str_list(fs.get("roots", ["~"]), "filesystem.roots")
    ]
    config.read_max_bytes = int(fs.get("read_max_bytes", config.read_max_bytes))
    shell = raw.get("shell") or {}
    config.shell_allow = _str_list(shell.get("allow", []), "shell.allow")
    config.shell_timeout = float(shell.get("timeout_seconds", config.shell_timeout))
    config.max_output_bytes = int(shell.get("max_output_bytes", config.max_output_bytes))
    for name, argv in ((raw.get("apps") or {}).get("launch") or {}).items():
        config.apps[str(name)] = _str_list(argv, f"apps.launch.{name}")
        if not config.apps[str(name)]:
            raise ConfigError(f"apps.launch.{name} needs a program to run.")
    config.history_files = list((raw.get("browser") or {}).get("history_files") or [])
    _listeners(config, raw)
    for name, spec in (raw.get("mcp") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("command"), str):
            raise ConfigError(f"[mcp.{name}] needs a command.")
        env = spec.get("env") or {}
        if not isinstance(env, dict):
            raise ConfigError(f"mcp.{name}.env must be a table.")
        config.mcp.append(
            McpServer(
                name=str(name),
                command=spec["command"],
                args=_str_list(spec.get("args", []), f"mcp.{name}.args"),
                env={str(k): str(v) for k, v in env.items()},
            )
        )
    return config


def _listeners(config: Config, raw: dict[str, Any]) -> None:
    from agent_bridge.local_agent.listeners.rules import rules_from_config

    listeners = raw.get("listeners") or {}
    for name in ("statements", "history"):
        config.listeners[name] = bool(listeners.get(name, True))
    config.poll_seconds = max(1.0, float(listeners.get("poll_seconds", config.poll_seconds)))
    statements = raw.get("statements") or {}
    config.statements_folder = Path(str(statements.get("folder", "~/LMO Statements"))).expanduser()
    mappings = statements.get("mappings") or {}
    if not isinstance(mappings, dict) or not all(isinstance(m, dict) for m in mappings.values()):
        raise ConfigError("[statements.mappings.<name>] must be tables.")
    config.statement_mappings = {str(k): dict(v) for k, v in mappings.items()}
    categories = statements.get("categories")
    if categories is not None:
        from agent_bridge.local_agent.statements.categories import DEFAULT_RULES

        extra = {str(k): _str_list(v, f"statements.categories.{k}") for k, v in categories.items()}
        names = dict.fromkeys([*extra, *DEFAULT_RULES])
        config.categories = {k: [*extra.get(k, []), *DEFAULT_RULES.get(k, [])] for k in names}
    config.activity_rules = dict(raw.get("activity_rules") or {})
    try:
        rules_from_config(config.activity_rules)
    except (ValueError, re.error) as exc:
        raise ConfigError(f"[activity_rules]: {exc}") from None


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_initial(path: Path, *, server: str, name: str, insecure: bool) -> None:
    """Create the config file (only if missing: an existing policy is never overwritten)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        text = path.read_text()
        lines = [
            f"server = {_toml_str(server)}" if line.startswith("server =") else line
            for line in text.splitlines()
        ]
        path.write_text("\n".join(lines) + "\n")
        return
    path.write_text(
        INITIAL.format(
            server=_toml_str(server), name=_toml_str(name), insecure="true" if insecure else "false"
        )
    )


def save_token(config_path: Path, token: str) -> Path:
    token_path = config_path.parent / "token"
    token_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(token_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    os.chmod(token_path, 0o600)
    return token_path
