"""Bank statements (CSV in common bank layouts, OFX/QFX) read into financial activities.

Pure Python (no Django): the agent's watched folder uses it, and the dashboard's import
uses the very same code, so a statement gives the same activities, with the same
external ids, whichever way it arrives. A malformed file raises ``StatementError`` with
the line and reason of each problem; nothing is returned from it then.

An activity item is the dict the bridge carries (see ``activities.schemas.ActivityIn``):
``id`` (stable: the same transaction always gets the same id), ``type`` "financial",
``timestamp``, ``application`` (the bank or account), ``description``, ``amount``
(negative is money out), ``currency``, ``category``, ``counterparty``, ``details``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

MAX_BYTES = 20 * 1024 * 1024
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


class StatementError(ValueError):
    """The file cannot be read as a statement; ``problems`` say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        super().__init__("; ".join(str(p) for p in self.problems))


def first_problem(error: StatementError) -> str:
    """The first reason a file was refused, with its line ("line 3: no date")."""
    return (str(error.problems[0]) if error.problems else str(error))[:500]


@dataclass
class Transaction:
    external_id: str
    when: Any  # datetime (aware) or date
    amount: Decimal
    currency: str
    description: str
    counterparty: str
    category: str
    account: str
    line: int
    extra: dict[str, Any] = field(default_factory=dict)

    def item(self, *, application: str) -> dict[str, Any]:
        timestamp = self.when.isoformat()
        return {
            "id": self.external_id,
            "type": "financial",
            "timestamp": timestamp,
            "application": application[:120],
            "description": (self.description or self.counterparty or "Transaction")[:500],
            "amount": str(self.amount),
            "currency": self.currency,
            "category": self.category[:64],
            "counterparty": self.counterparty[:200],
            "details": {"account": self.account, "line": self.line, **self.extra},
        }


@dataclass
class Statement:
    kind: str  # "csv" or "ofx"
    layout: str  # detected layout ("Chase", "Monzo", "OFX 1 (SGML)"...)
    columns: dict[str, str]  # role -> column read for it (CSV), e.g. {"date": "Posted Date"}
    date_format: str
    transactions: list[Transaction]
    application: str

    def items(self) -> list[dict[str, Any]]:
        return [t.item(application=self.application) for t in self.transactions]


def is_statement(path: Path) -> bool:
    return path.suffix.lower() in (".csv", ".ofx", ".qfx")


def read_statement(
    name: str,
    data: bytes,
    *,
    mappings: dict[str, dict[str, Any]] | None = None,
    categories: dict[str, list[str]] | None = None,
) -> Statement:
    """Parse ``data`` (the file's bytes; ``name`` decides CSV vs OFX, then the content)."""
    from agent_bridge.local_agent.statements import csv_layouts, ofx

    if len(data) > MAX_BYTES:
        raise StatementError([Problem(0, f"the file is larger than {MAX_BYTES // 2**20} MB")])
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if name.lower().endswith((".ofx", ".qfx")) or head.startswith(
        (b"OFXHEADER", b"<?XML", b"<OFX")
    ):
        return ofx.read(data, categories=categories)
    return csv_layouts.read(data, name=name, mappings=mappings or {}, categories=categories)
