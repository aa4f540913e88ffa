"""Bank statements read by the agent's folder and by the dashboard import (one parser):
common CSV layouts, a user's column mapping, OFX 1 (SGML) and OFX 2 (XML), and
malformed files refused with their lines."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from agent_bridge.local_agent.statements import Statement, StatementError, read_statement

FILES = Path(__file__).parent / "files"


def _read(name: str, **kwargs: Any) -> Statement:
    return read_statement(name, (FILES / name).read_bytes(), **kwargs)


def _rows(statement: Statement) -> list[tuple[str, str, str, str]]:
    return [
        (i["timestamp"][:10], i["amount"], i["currency"], i["category"]) for i in statement.items()
    ]


def test_chase_layout_month_first_dates_and_identical_rows_kept_apart() -> None:
    statement = _read("chase.csv")
    assert statement.layout == "Chase"
    assert statement.date_format == "%m/%d/%Y"
    assert statement.columns["date"] == "Transaction Date"
    assert _rows(statement) == [
        ("2026-01-15", "-54.20", "USD", "groceries"),
        ("2026-01-16", "-5.75", "USD", "food & drink"),
        ("2026-01-16", "-5.75", "USD", "food & drink"),
        ("2026-01-20", "500.00", "USD", "income"),
    ]
    ids = [i["id"] for i in statement.items()]
    assert len(set(ids)) == 4  # two identical coffees are two transactions
    assert ids == [i["id"] for i in _read("chase.csv").items()]  # stable across reads


def test_monzo_layout_keeps_time_ids_and_bank_categories() -> None:
    statement = _read("monzo.csv")
    assert statement.layout == "Monzo"
    items = statement.items()
    assert items[0]["timestamp"] == "2026-03-02T08:15:02"
    assert items[0]["counterparty"] == "Pret A Manger"
    assert items[1]["category"] == "groceries"
    assert items[0]["id"] == "csv:monzo:tx_0001"
    assert items[2]["amount"] == "2400.00"


def test_revolut_skips_declined_and_subtracts_fees() -> None:
    statement = _read("revolut.csv")
    assert statement.layout == "Revolut"
    assert [(i["description"], i["amount"]) for i in statement.items()] == [
        ("Lidl", "-20.00"),
        ("To savings", "-100.50"),
    ]


def test_preamble_debit_credit_columns_and_decimal_commas() -> None:
    statement = _read("debit-credit-eu.csv")
    assert statement.layout == "Generic CSV"
    assert statement.columns["debit"] == "Paid out"
    assert _rows(statement) == [
        ("2026-01-03", "-1234.50", "", "groceries"),
        ("2026-01-25", "2000.00", "", "income"),
    ]


def test_a_column_mapping_from_the_config_reads_an_unknown_bank() -> None:
    with pytest.raises(StatementError, match="no date and amount columns"):
        _read("dkb.csv")
    mapping = {
        "dkb": {
            "match": ["Buchungstag", "Betrag (EUR)"],
            "date": "Buchungstag",
            "amount": "Betrag (EUR)",
            "counterparty": "Auftraggeber / Beguenstigter",
            "description": "Verwendungszweck",
            "date_format": "%d.%m.%Y",
            "currency_default": "EUR",
            "application": "DKB",
        }
    }
    statement = _read("dkb.csv", mappings=mapping)
    assert statement.layout == "Your mapping “dkb”"
    assert [(i["amount"], i["counterparty"], i["application"]) for i in statement.items()] == [
        ("-45.67", "REWE Markt", "DKB"),
        ("3100.00", "Arbeitgeber GmbH", "DKB"),
    ]


def test_ofx_1_sgml_bank_statement() -> None:
    statement = _read("bank-v1.ofx")
    assert statement.layout == "OFX 1 (SGML)"
    items = statement.items()
    assert [i["id"] for i in items] == ["ofx:123456789:2026020301", "ofx:123456789:2026021501"]
    assert items[0]["timestamp"] == "2026-02-03T17:00:00+00:00"  # 12:00 EST
    assert items[1]["timestamp"] == "2026-02-15"  # a bare date stays a date
    assert Decimal(items[0]["amount"]) == Decimal("-54.20")
    assert items[0]["currency"] == "USD"
    assert items[0]["details"]["memo"] == "Groceries"


def test_qfx_2_xml_credit_card_statement() -> None:
    statement = _read("card-v2.qfx")
    assert statement.layout == "OFX 2 (XML)"
    [item] = statement.items()
    assert (item["amount"], item["currency"], item["counterparty"]) == (
        "-12.50",
        "EUR",
        "Cafe Nero",
    )
    assert item["category"] == "eating out"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "bad-amount.csv",
            None,
            ["line 3: cannot read the amount 'abc'", "line 5: cannot read the date"],
        ),
        ("bad-amount.ofx", None, ["line 37: transaction 2026020301: an amount is not a number"]),
        ("empty.csv", b"", ["line 1: the file is empty"]),
        ("header-only.csv", b"Date,Description,Amount\n", ["the statement has no transactions"]),
        ("notes.csv", b"hello,world\n1,2\n", ["no date and amount columns"]),
        ("broken.ofx", b"OFXHEADER:100\nDATA:OFXSGML\nnonsense", ["not an OFX file"]),
        (
            "truncated.ofx",
            (FILES / "bank-v1.ofx").read_bytes()[:700],
            ["line 43: transaction (no FITID)"],
        ),
    ],
)
def test_malformed_files_say_where_and_why(
    name: str, data: bytes | None, expected: list[str]
) -> None:
    raw = (FILES / name).read_bytes() if data is None else data
    with pytest.raises(StatementError) as caught:
        read_statement(name, raw)
    message = str(caught.value)
    for part in expected:
        assert part in message, message
