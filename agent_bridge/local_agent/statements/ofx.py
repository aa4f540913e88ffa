"""OFX and QFX statements (OFX 1.x SGML and 2.x XML), parsed with ofxtools. Bank and
credit-card statements; each transaction's FITID (unique per account) is its id."""

from __future__ import annotations

import io
import re
from typing import Any

from ofxtools.header import OFXHeaderError
from ofxtools.models.base import Aggregate
from ofxtools.Parser import OFXTree, ParseError

from agent_bridge.local_agent.statements import Problem, Statement, StatementError, Transaction
from agent_bridge.local_agent.statements.categories import categorise


def _line_of(text: str, needle: str) -> int:
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else 0


def _locate(tree: OFXTree, text: str) -> Problem | None:
    """Convert transaction by transaction to say which one is wrong, and on what line."""
    root = getattr(tree, "_root", None)
    if root is None:
        return None
    for element in root.iter("STMTTRN"):
        try:
            Aggregate.from_etree(element)
        except Exception as exc:
            fitid = element.findtext("FITID") or ""
            line = 0
            for tag in ("FITID", "DTPOSTED", "NAME", "TRNAMT"):
                value = element.findtext(tag)
                if value and not line:
                    line = _line_of(text, f"<{tag}>{value}")
            return Problem(line, f"transaction {fitid or '(no FITID)'}: {_reason(exc)}")
    return None


def _reason(exc: Exception) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "ConversionSyntax" in message or type(exc).__name__ == "InvalidOperation":
        return "an amount is not a number"
    return message[:300]


def read(data: bytes, *, categories: dict[str, list[str]] | None = None) -> Statement:
    text = data.decode("latin-1")
    version = (
        "OFX 2 (XML)" if re.search(r"<\?OFX\b", text[:1024], re.IGNORECASE) else "OFX 1 (SGML)"
    )
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
    except OFXHeaderError as exc:
        raise StatementError(
            [Problem(1, f"not an OFX file: the header is malformed ({_reason(exc)})")]
        ) from None
    except (ParseError, ValueError, KeyError, IndexError) as exc:
        tag = re.search(r"<?/?([A-Z][A-Z0-9.]+)>?", str(exc))
        line = _line_of(text, tag.group(1)) if tag else 0
        raise StatementError(
            [Problem(line, f"the OFX structure is broken ({_reason(exc)})")]
        ) from None
    try:
        ofx: Any = tree.convert()
    except Exception as exc:
        problem = _locate(tree, text) or Problem(
            _line_of(text, "STMTRS>"), f"the statement is incomplete ({_reason(exc)})"
        )
        raise StatementError([problem]) from None
    transactions: list[Transaction] = []
    statements = list(getattr(ofx, "statements", []) or [])
    if not statements:
        raise StatementError([Problem(0, "the OFX file holds no bank or card statement")])
    for statement in statements:
        account = str(getattr(statement.account, "acctid", "") or "")
        currency = str(getattr(statement, "curdef", "") or "")
        for tx in statement.transactions:
            name = str(
                getattr(tx, "name", "") or getattr(getattr(tx, "payee", None), "name", "") or ""
            )
            memo = str(getattr(tx, "memo", "") or "")
            amount = tx.trnamt
            posted = tx.dtposted
            # Banks write a bare date as midnight (UTC): keep it a date, not a time.
            when = (
                posted.date()
                if (posted.hour, posted.minute, posted.second) == (0, 0, 0)
                else posted
            )
            currency_here = str(getattr(getattr(tx, "currency", None), "cursym", "") or currency)
            transactions.append(
                Transaction(
                    external_id=f"ofx:{account}:{tx.fitid}"[:255],
                    when=when,
                    amount=amount,
                    currency=currency_here,
                    description=name or memo,
                    counterparty=name,
                    category=categorise(f"{name} {memo}", amount > 0, categories),
                    account=account,
                    line=_line_of(text, f"<FITID>{tx.fitid}"),
                    extra={
                        k: v
                        for k, v in {"memo": memo, "trntype": str(tx.trntype or "")}.items()
                        if v
                    },
                )
            )
    if not transactions:
        raise StatementError([Problem(0, "the statement has no transactions")])
    return Statement(
        kind="ofx",
        layout=version,
        columns={},
        date_format="",
        transactions=transactions,
        application="Bank (OFX)",
    )
