"""What CSV statements look like: the column names each role goes by, the date formats
tried, and the layouts of common banks (recognised by their headers, with the roles
the heuristics would guess wrong)."""

from __future__ import annotations

from dataclasses import dataclass

ROLES: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "transaction date",
        "trans. date",
        "posted date",
        "posting date",
        "post date",
        "booking date",
        "completed date",
        "value date",
        "started date",
        "buchungstag",
    ),
    "time": ("time",),
    "amount": (
        "amount",
        "transaction amount",
        "value",
        "amount (gbp)",
        "amount (eur)",
        "amount (usd)",
        "betrag",
    ),
    "debit": ("debit", "debit amount", "withdrawal", "withdrawals", "paid out", "money out", "out"),
    "credit": ("credit", "credit amount", "deposit", "deposits", "paid in", "money in", "in"),
    "description": (
        "description",
        "transaction description",
        "details",
        "narrative",
        "memo",
        "reference",
        "verwendungszweck",
    ),
    "counterparty": ("name", "payee", "merchant", "merchant name", "counter party", "counterparty"),
    "currency": ("currency", "local currency"),
    "category": ("category", "spending category", "subcategory"),
    "id": ("transaction id", "id", "reference id", "transaction reference", "fitid"),
    "balance": ("balance", "running bal.", "running balance", "balance (gbp)", "balance (eur)"),
    "fee": ("fee",),
    "state": ("state", "status"),
}
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%d-%b-%Y",
    "%Y%m%d",
)
TIME_SUFFIXES = ("", " %H:%M:%S", " %H:%M", "T%H:%M:%S", "T%H:%M:%SZ", " %I:%M %p")
SKIPPED_STATES = {"declined", "reverted", "failed", "cancelled"}
SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY"}


@dataclass(frozen=True)
class Layout:
    name: str
    signature: frozenset[str]  # headers that identify it
    roles: dict[str, str]  # role -> header, where the heuristics would guess wrong
    date_format: str = ""
    currency: str = ""


LAYOUTS = (
    Layout(
        "Chase",
        frozenset({"transaction date", "post date", "description", "category", "type", "amount"}),
        {"date": "transaction date", "counterparty": "description", "description": "description"},
        "%m/%d/%Y",
        "USD",
    ),
    Layout(
        "Capital One",
        frozenset(
            {"transaction date", "posted date", "card no.", "description", "debit", "credit"}
        ),
        {"date": "transaction date", "counterparty": "description"},
        "%Y-%m-%d",
        "USD",
    ),
    Layout(
        "Bank of America",
        frozenset({"date", "description", "amount", "running bal."}),
        {"counterparty": "description"},
        "%m/%d/%Y",
        "USD",
    ),
    Layout(
        "Monzo",
        frozenset(
            {"transaction id", "date", "time", "type", "name", "category", "amount", "currency"}
        ),
        {"description": "name", "counterparty": "name"},
        "%d/%m/%Y",
    ),
    Layout(
        "Revolut",
        frozenset(
            {
                "type",
                "product",
                "started date",
                "completed date",
                "description",
                "amount",
                "currency",
                "state",
            }
        ),
        {"date": "started date", "counterparty": "description"},
        "%Y-%m-%d",
    ),
    Layout(
        "Starling",
        frozenset({"date", "counter party", "reference", "type", "amount (gbp)", "balance (gbp)"}),
        {"description": "reference", "category": "spending category"},
        "%d/%m/%Y",
        "GBP",
    ),
    Layout(
        "Barclays",
        frozenset({"number", "date", "account", "amount", "subcategory", "memo"}),
        {"description": "memo", "counterparty": "memo", "category": "subcategory"},
        "%d/%m/%Y",
        "GBP",
    ),
)
