"""The audit trail: every finished run is sealed into its owner's hash chain, cannot
change (model and database refuse), and verification shows an edited or missing row.
The Audit page filters and exports; another user's records never show."""

from __future__ import annotations

import csv
import importlib
import io
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from agent_bridge.local_agent import protocol
from permissions.actions import queue_command, record_result
from permissions.audit import verify_chain
from permissions.models import CommandRun, Grant
from tests.permissions.conftest import make_laptop

pytestmark = pytest.mark.django_db
append_only = importlib.import_module("permissions.migrations.0003_commandrun_table")
TABLE = CommandRun._meta.db_table


def _finished_runs(owner: Any, agent: Any, count: int) -> list[CommandRun]:
    Grant.objects.create(
        owner=owner, target="system", action="*", kind="always", created_by=owner, origin="chat"
    )
    runs = []
    for n in range(count):
        run = queue_command(agent=agent, target="system", action="ping", params={})
        ok = n % 2 == 0
        record_result(
            agent_id=agent.pk,
            frame=protocol.Result(
                id=str(run.pk),
                ok=ok,
                data={"pong": n} if ok else None,
                error=None if ok else protocol.ResultError(code="boom", message="It failed."),
                duration_ms=1.5,
            ),
        )
        runs.append(CommandRun.objects.get(pk=run.pk))
    return runs


def _without_trigger(sql: str, params: list[Any]) -> None:
    """What someone with database access could do behind the application's back (the
    trigger is put back afterwards for the other tests)."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER lmo_audit_append_only")
        try:
            cursor.execute(sql, params)
        finally:
            if postgres:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            else:
                for statement in append_only._trigger_sql("sqlite", TABLE):
                    cursor.execute(statement)


def test_finished_runs_are_sealed_in_order_and_the_chain_verifies(alice: Any) -> None:
    laptop = make_laptop(alice)
    runs = _finished_runs(alice, laptop, 4)
    assert [r.audit_seq for r in runs] == [1, 2, 3, 4]
    assert all(len(r.audit_digest) == 64 for r in runs)
    check = verify_chain(alice.pk)
    assert check.ok and check.records == 4


def test_a_sealed_record_cannot_change(alice: Any) -> None:
    laptop = make_laptop(alice)
    run = _finished_runs(alice, laptop, 1)[0]
    run.error = "nothing to see"
    with pytest.raises(ValueError, match="audit"):
        run.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        CommandRun.objects.filter(pk=run.pk).update(state="succeeded", error="")


@pytest.mark.django_db(transaction=True)
def test_an_edited_record_breaks_the_chain(alice: Any) -> None:
    laptop = make_laptop(alice)
    runs = _finished_runs(alice, laptop, 3)
    _without_trigger(
        f"UPDATE {TABLE} SET state = %s, error = %s WHERE id = %s",  # noqa: S608  (our table)
        ["succeeded", "", runs[1].pk.hex if connection.vendor == "sqlite" else runs[1].pk],
    )
    check = verify_chain(alice.pk)
    assert not check.ok and check.seq == 2 and "changed" in check.problem
    with pytest.raises(DatabaseError), transaction.atomic():  # the trigger is back
        CommandRun.objects.filter(pk=runs[0].pk).update(error="again")


@pytest.mark.django_db(transaction=True)
def test_a_deleted_record_breaks_the_chain(alice: Any) -> None:
    laptop = make_laptop(alice)
    runs = _finished_runs(alice, laptop, 3)
    CommandRun.objects.filter(pk=runs[2].pk).delete()
    check = verify_chain(alice.pk)
    assert not check.ok and "missing" in check.problem


def test_audit_page_filters_and_shows_the_chain(alice: Any, alice_client: Any) -> None:
    laptop = make_laptop(alice)
    _finished_runs(alice, laptop, 4)
    page = alice_client.get("/permissions/audit/")
    assert page.status_code == 200
    assert b"Chain verified: 4 sealed records" in page.content
    failed = alice_client.get("/permissions/audit/", {"outcome": "failed"})
    assert failed.content.count(b"audit-row state-failed") == 2
    assert b"state-succeeded" not in failed.content
    by_computer = alice_client.get("/permissions/audit/", {"computer": str(laptop.pk)})
    assert by_computer.content.count(b"audit-row") == 4
    bad = alice_client.get("/permissions/audit/", {"since": "2026-02-01", "until": "2026-01-01"})
    assert bad.status_code == 400


def test_audit_csv_exports_the_filtered_records(alice: Any, alice_client: Any) -> None:
    laptop = make_laptop(alice)
    _finished_runs(alice, laptop, 4)
    response = alice_client.get("/permissions/audit.csv", {"outcome": "succeeded"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2 and {r["outcome"] for r in rows} == {"succeeded"}
    assert all(len(r["audit_digest"]) == 64 for r in rows)


def test_the_outsider_sees_no_record(
    alice: Any, charlie: Any, login_verified: Any, client: Any
) -> None:
    laptop = make_laptop(alice)
    _finished_runs(alice, laptop, 2)
    login_verified(client, charlie)
    page = client.get("/permissions/audit/", {"computer": str(laptop.pk)})
    assert b"audit-row" not in page.content and b"laptop" not in page.content
    response = client.get("/permissions/audit.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1  # the header only
