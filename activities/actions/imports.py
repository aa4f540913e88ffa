"""Importing a statement file from the dashboard: read and check it (nothing stored but
the file), show the preview, then store its activities when the user confirms."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from activities import notices
from activities.actions.ingest import check_items, ingest_activities
from activities.models import Activity, PendingImport
from agent_bridge.local_agent.protocol import ItemOutcome
from agent_bridge.local_agent.statements import (
    Problem,
    Statement,
    StatementError,
    first_problem,
    read_statement,
)
from notifications.models import Priority

KEEP_PENDING = timedelta(days=1)


@dataclass
class Preview:
    pending: PendingImport
    statement: Statement
    items: list[dict[str, Any]]
    duplicates: set[str]


def read_checked(*, owner: Any, name: str, data: bytes) -> tuple[Statement, list[dict[str, Any]]]:
    """Parse and validate every transaction; any problem refuses the whole file."""
    statement = read_statement(name, data)
    items = statement.items()
    problems = [
        Problem(int(items[index]["details"].get("line", 0)), reason)
        for index, reason in check_items(owner, items)
    ]
    if problems:
        raise StatementError(problems)
    return statement, items


def preview_import(*, owner: Any, name: str, data: bytes) -> Preview:
    try:
        statement, items = read_checked(owner=owner, name=name, data=data)
    except StatementError as exc:
        # Shown on the page too; the notification keeps it in the centre's history.
        notices.import_failed(
            owner=owner,
            name=name[:255],
            error=first_problem(exc),
            key=hashlib.sha256(data).hexdigest(),
            priority=Priority.LOW,
        )
        raise
    pending = PendingImport.objects.create(owner=owner, name=name[:255], data=data)
    known = set(
        Activity.objects.filter(owner=owner, external_id__in=[i["id"] for i in items]).values_list(
            "external_id", flat=True
        )
    )
    return Preview(pending=pending, statement=statement, items=items, duplicates=known)


def confirm_import(*, pending: PendingImport) -> list[ItemOutcome]:
    """Store the previewed file's activities (each once: a second confirm adds nothing)."""
    owner = pending.owner
    _, items = read_checked(owner=owner, name=pending.name, data=bytes(pending.data))
    with transaction.atomic():
        outcomes = ingest_activities(owner=owner, items=items, source="import")
        notices.import_finished(
            owner=owner, name=pending.name, outcomes=outcomes, key=f"upload:{pending.pk}"
        )
        pending.delete()
    return outcomes


def purge_pending_imports() -> int:
    deleted, _ = PendingImport.objects.filter(created_at__lt=timezone.now() - KEEP_PENDING).delete()
    return deleted
