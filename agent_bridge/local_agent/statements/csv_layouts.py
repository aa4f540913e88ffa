"""CSV statements: common bank layouts recognised by their header, any other layout read
by column roles (date, amount or debit/credit, description...), and the user's own
column mappings from the agent config (``[statements.mappings.<name>]``)."""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from agent_bridge.local_agent.statements import Problem, Statement, StatementError, Transaction
from agent_bridge.local_agent.statements.categories import categorise, normalise
from agent_bridge.local_agent.statements.layouts import (
    DATE_FORMATS,
    LAYOUTS,
    ROLES,
    SKIPPED_STATES,
    SYMBOLS,
    TIME_SUFFIXES,
    Layout,
)


def _norm(header: str) -> str:
    return re.sub(r"\s+", " ", header.strip().strip("\ufeff").lower())


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _dialect(text: str, wanted: str | None) -> type[csv.Dialect] | csv.Dialect:
    if wanted:
        chosen: str = wanted

        class Custom(csv.excel):
            delimiter = chosen

        return Custom
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _resolve_roles(headers: list[str], preset: dict[str, str]) -> dict[str, int]:
    index = {_norm(h): i for i, h in enumerate(headers) if h.strip()}
    roles: dict[str, int] = {}
    for role, header in preset.items():
        if _norm(header) in index:
            roles[role] = index[_norm(header)]
    taken = set(roles.values())
    for role, candidates in ROLES.items():
        if role in roles:
            continue
        for candidate in candidates:
            column = index.get(candidate)
            if column is not None and column not in taken:
                roles[role] = column
                taken.add(column)
                break
    return roles


def _mapped_roles(headers: list[str], mapping: dict[str, Any]) -> dict[str, int]:
    index = {_norm(h): i for i, h in enumerate(headers)}
    roles: dict[str, int] = {}
    for role in ROLES:
        value = mapping.get(role)
        if value is None:
            continue
        if isinstance(value, int):  # 1-based column number
            roles[role] = value - 1
        elif _norm(str(value)) in index:
            roles[role] = index[_norm(str(value))]
        else:
            raise StatementError(
                [Problem(0, f"the mapping's {role} column {value!r} is not in the file")]
            )
    return roles


def parse_amount(raw: str, *, decimal: str = ".") -> tuple[Decimal, str]:
    """``(value, currency from a symbol or code)``; raises ValueError."""
    text = raw.strip().replace("\u2212", "-").replace("\xa0", "")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    upper = text.upper()
    if upper.endswith("CR"):
        text = text[:-2]
    elif upper.endswith("DR"):
        negative, text = True, text[:-2]
    currency = next((code for symbol, code in SYMBOLS.items() if symbol in text), "")
    code = re.search(r"\b([A-Z]{3})\b", text.upper())
    if code and not currency:
        currency = code.group(1)
    text = re.sub(r"[£$€¥\s]|[A-Za-z]{3}", "", text)
    if text.endswith("-"):
        negative, text = True, text[:-1]
    if text.startswith("+"):
        text = text[1:]
    text = text.replace(".", "").replace(",", ".") if decimal == "," else text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"cannot read the amount {raw.strip()!r}") from None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise ValueError(f"the amount {raw.strip()!r} is out of range")
    return (-value if negative else value), currency


def _parse_date(value: str, fmt: str) -> datetime | None:
    for suffix in TIME_SUFFIXES:
        try:
            return datetime.strptime(value, fmt + suffix)
        except ValueError:
            continue
    return None


def choose_date_format(values: list[str], preferred: str = "") -> str | None:
    formats = ([preferred] if preferred else []) + [f for f in DATE_FORMATS if f != preferred]
    for fmt in formats:
        if all(_parse_date(v, fmt) is not None for v in values):
            return fmt
    return None


def _cell(row: list[str], roles: dict[str, int], role: str) -> str:
    column = roles.get(role)
    if column is None or column >= len(row):
        return ""
    return row[column].strip()


def _by_file(name: str, mappings: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]] | None:
    for label, mapping in mappings.items():
        files = mapping.get("files")
        if files and fnmatch.fnmatch(name.lower(), str(files).lower()):
            return label, mapping
    return None


def _locate_header(
    name: str, rows: list[tuple[int, list[str]]], mappings: dict[str, dict[str, Any]]
) -> tuple[tuple[str, dict[str, Any]] | None, int]:
    """The user's mapping that applies (if any) and the header row's index (-1: none);
    banks put account details above the header."""
    by_file = _by_file(name, mappings)
    if by_file is not None:
        if by_file[1].get("has_header", True) is False:
            return by_file, -1
        if "skip_lines" in by_file[1]:
            return by_file, int(by_file[1]["skip_lines"])
    money = set(ROLES["amount"] + ROLES["debit"] + ROLES["credit"])
    for position, (_, row) in enumerate(rows[:20]):
        names = {_norm(c) for c in row}
        for label, mapping in mappings.items():
            wanted = {_norm(str(m)) for m in mapping.get("match") or []}
            if wanted and wanted <= names:
                return (label, mapping), position
        if names & set(ROLES["date"]) and names & money:
            return by_file, position
    return by_file, 0


def read(
    data: bytes,
    *,
    name: str,
    mappings: dict[str, dict[str, Any]],
    categories: dict[str, list[str]] | None = None,
) -> Statement:
    text = _decode(data)
    if not text.strip():
        raise StatementError([Problem(1, "the file is empty")])
    by_file = _by_file(name, mappings)
    wanted = by_file[1].get("delimiter") if by_file else None
    reader = csv.reader(io.StringIO(text), _dialect(text, str(wanted) if wanted else None))
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise StatementError(
            [Problem(reader.line_num, f"not a readable CSV file ({exc})")]
        ) from None
    found, header_at = _locate_header(name, rows, mappings)
    headers = rows[header_at][1] if header_at >= 0 else []
    mapping = found[1] if found else None
    layout: Layout | None = None
    if mapping is not None:
        roles = _mapped_roles(headers, mapping)
        layout_name = f"Your mapping “{found[0] if found else ''}”"
    else:
        normalised = {_norm(h) for h in headers}
        layout = next((lay for lay in LAYOUTS if lay.signature <= normalised), None)
        roles = _resolve_roles(headers, layout.roles if layout else {})
        layout_name = layout.name if layout else "Generic CSV"
    if "date" not in roles or not ({"amount", "debit", "credit"} & roles.keys()):
        line = rows[header_at][0] if header_at >= 0 and rows else 1
        raise StatementError(
            [
                Problem(
                    line,
                    "no date and amount columns were found; add a column mapping for this bank "
                    "(see the agent config, [statements.mappings])",
                )
            ]
        )
    body = [(line, row) for line, row in rows[header_at + 1 :] if any(c.strip() for c in row)]
    if not body:
        raise StatementError(
            [Problem(rows[-1][0] if rows else 1, "the statement has no transactions")]
        )
    decimal = str((mapping or {}).get("decimal") or _guess_decimal(body, roles))
    date_values = [_cell(row, roles, "date") for _, row in body]
    preferred = str((mapping or {}).get("date_format") or (layout.date_format if layout else ""))
    date_format = choose_date_format([v for v in date_values if v], preferred)
    problems: list[Problem] = []
    if date_format is None:
        fallback = preferred or DATE_FORMATS[0]
        for (line, _), value in zip(body, date_values, strict=True):
            if _parse_date(value, fallback) is None:
                problems.append(Problem(line, f"cannot read the date {value!r}"))
    default_currency = str(
        (mapping or {}).get("currency_default") or (layout.currency if layout else "")
    )
    if not default_currency:
        header_code = re.search(r"\(([a-z]{3})\)", " ".join(_norm(h) for h in headers))
        default_currency = header_code.group(1).upper() if header_code else ""
    invert = bool((mapping or {}).get("invert", False))
    application = str(
        (mapping or {}).get("application") or (layout.name if layout else "Bank statement")
    )
    transactions: list[Transaction] = []
    seen: dict[str, int] = {}
    for (line, row), date_value in zip(body, date_values, strict=True):
        if _cell(row, roles, "state").lower() in SKIPPED_STATES:
            continue
        try:
            amount, currency = _amount(row, roles, decimal)
        except ValueError as exc:
            problems.append(Problem(line, str(exc)))
            continue
        if invert:
            amount = -amount
        moment = _parse_date(date_value, date_format) if date_format else None
        if moment is None:
            if not date_value:
                problems.append(Problem(line, "the date is empty"))
            continue
        clock = _cell(row, roles, "time")
        if clock and moment.hour == 0 and moment.minute == 0:
            moment = _parse_date(f"{moment:%Y-%m-%d} {clock}", "%Y-%m-%d") or moment
        # a bare date stays a date (the server places it on that day in the user's zone)
        when: date | datetime = moment.date() if moment.time() == datetime.min.time() else moment
        description = _cell(row, roles, "description")
        counterparty = _cell(row, roles, "counterparty") or description
        description = description or counterparty
        currency = (_cell(row, roles, "currency") or currency or default_currency).upper()[:3]
        bank_category = _cell(row, roles, "category")
        category = (
            normalise(bank_category)
            if bank_category
            else categorise(f"{counterparty} {description}", amount > 0, categories)
        )
        tx_id = _cell(row, roles, "id")
        if tx_id:
            external_id = f"csv:{application.lower()}:{tx_id}"[:255]
        else:
            key = "|".join(
                [str(when), str(amount), description, counterparty, _cell(row, roles, "balance")]
            )
            digest = hashlib.sha256(key.encode()).hexdigest()[:32]
            seen[digest] = seen.get(digest, -1) + 1
            external_id = f"csv:{digest}" + (f":{seen[digest]}" if seen[digest] else "")
        transactions.append(
            Transaction(
                external_id=external_id,
                when=when,
                amount=amount,
                currency=currency,
                description=description,
                counterparty=counterparty,
                category=category,
                account=str((mapping or {}).get("account", "")),
                line=line,
            )
        )
    if problems:
        raise StatementError(problems)
    columns = {
        role: headers[i] if 0 <= i < len(headers) else f"column {i + 1}"
        for role, i in roles.items()
    }
    return Statement(
        kind="csv",
        layout=layout_name,
        columns=columns,
        date_format=date_format or "",
        transactions=transactions,
        application=application,
    )


def _guess_decimal(body: list[tuple[int, list[str]]], roles: dict[str, int]) -> str:
    """ "," when the amounts are written 1.234,56 (continental Europe), else "."."""
    cells = [_cell(row, roles, r) for _, row in body for r in ("amount", "debit", "credit")]
    comma = any(re.search(r"\d,\d{1,2}\s*$", c) for c in cells if c)
    point = any(re.search(r"\d\.\d{1,2}\s*$", c) for c in cells if c)
    return "," if comma and not point else "."


def _amount(row: list[str], roles: dict[str, int], decimal: str) -> tuple[Decimal, str]:
    raw = _cell(row, roles, "amount")
    if raw:
        amount, currency = parse_amount(raw, decimal=decimal)
    else:
        debit, credit = _cell(row, roles, "debit"), _cell(row, roles, "credit")
        if not debit and not credit:
            raise ValueError("the amount is empty")
        out, currency = parse_amount(debit, decimal=decimal) if debit else (Decimal(0), "")
        into, other = parse_amount(credit, decimal=decimal) if credit else (Decimal(0), "")
        amount, currency = abs(into) - abs(out), currency or other
    fee = _cell(row, roles, "fee")
    if fee:
        amount -= abs(parse_amount(fee, decimal=decimal)[0])
    return amount, currency
