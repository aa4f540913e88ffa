from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from activities.actions.ingest import ingest_activities
from tests.chat.conftest import _checkpoints, fake_llm, offline  # noqa: F401  (fixtures)


def spend(
    key: str,
    amount: str,
    *,
    days_ago: float = 1,
    category: str = "groceries",
    merchant: str = "Tesco",
    currency: str = "EUR",
    **extra: Any,
) -> dict[str, Any]:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    return {
        "id": key,
        "type": "financial",
        "timestamp": when.isoformat(),
        "application": extra.pop("application", "Bank"),
        "description": extra.pop("description", f"{merchant} purchase"),
        "amount": str(Decimal(amount)),
        "currency": currency,
        "category": category,
        "counterparty": merchant,
        **extra,
    }


def job(
    key: str, company: str, role: str = "Engineer", *, days_ago: float = 1, **extra: Any
) -> dict[str, Any]:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    return {
        "id": key,
        "type": "job",
        "timestamp": when.isoformat(),
        "application": extra.pop("application", "Greenhouse"),
        "description": f"Applied to {company} as {role}",
        "company": company,
        "role": role,
        **extra,
    }


def store(owner: Any, *items: dict[str, Any], source: str = "import") -> list[str]:
    return [o.status for o in ingest_activities(owner=owner, items=list(items), source=source)]
