"""Storing a batch of activities on PostgreSQL with COPY.

A batch from an agent's outbox is new unless it is a retry, so it is first copied
straight into the table (as fast as a raw bulk load), inside a savepoint. If any row is
already there, the unique constraint fails the COPY, the savepoint is rolled back, and
the batch goes the exact way: COPY into a per-session staging table, then one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING``, which settles duplicates
even against a concurrent writer and says which rows were new."""

from __future__ import annotations

import json
from typing import Any

import psycopg
from django.db import connection, transaction
from django.utils import timezone

COLUMNS = (
    "owner_id",
    "type",
    "occurred_at",
    "application",
    "description",
    "details",
    "source",
    "agent_id",
    "external_id",
    "amount",
    "currency",
    "category",
    "counterparty",
    "company",
    "role",
    "status",
    "status_changed_at",
    "created_at",
    "updated_at",
)
NAMES = ", ".join(COLUMNS)
STAGING = """
CREATE TEMP TABLE IF NOT EXISTS lmo_activity_staging (
    owner_id bigint, type varchar(16), occurred_at timestamptz, application varchar(120),
    description varchar(500), details jsonb, source varchar(16), agent_id uuid,
    external_id varchar(255), amount numeric(14, 2), currency varchar(3), category varchar(64),
    counterparty varchar(200), company varchar(200), role varchar(200), status varchar(16),
    status_changed_at timestamptz, created_at timestamptz, updated_at timestamptz
) ON COMMIT DELETE ROWS
"""


def _copy(cursor: Any, table: str, rows: list[dict[str, Any]]) -> None:
    now = timezone.now()
    with cursor.cursor.copy(f"COPY {table} ({NAMES}) FROM STDIN") as copy:
        for row in rows:
            values = {**row, "details": json.dumps(row["details"], default=str)}
            copy.write_row([*(values[c] for c in COLUMNS[:-2]), now, now])


def insert_new(rows: list[dict[str, Any]], *, need_ids: bool) -> dict[str, int]:
    """Insert what is not there yet (inside the caller's transaction). Returns
    ``{external_id: id}`` of the rows inserted (id 0 when not ``need_ids``)."""
    if not rows:
        return {}
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                _copy(cursor, "activities_activity", rows)
        except psycopg.errors.UniqueViolation:
            return _insert_via_staging(cursor, rows)
        ids = [r["external_id"] for r in rows]
        if not need_ids:
            return dict.fromkeys(ids, 0)
        cursor.execute(
            "SELECT external_id, id FROM activities_activity WHERE owner_id = %s AND external_id = ANY(%s)",
            [rows[0]["owner_id"], ids],
        )
        return dict(cursor.fetchall())


def _insert_via_staging(cursor: Any, rows: list[dict[str, Any]]) -> dict[str, int]:
    # Every time: a temp table created in a transaction that was rolled back is gone.
    cursor.execute(STAGING)
    _copy(cursor, "lmo_activity_staging", rows)
    cursor.execute(
        # the column names are this module's constants, not input
        f"INSERT INTO activities_activity ({NAMES}) SELECT {NAMES} FROM lmo_activity_staging "  # noqa: S608
        "ON CONFLICT (owner_id, external_id) DO NOTHING RETURNING external_id, id"
    )
    inserted = dict(cursor.fetchall())
    cursor.execute("DELETE FROM lmo_activity_staging")  # the caller's transaction goes on
    return inserted
