"""Moving ``CommandRun`` from agent_bridge to permissions keeps every row and the sealed
audit chain: a database with runs, grants, requests and a chain, migrated from before the
move, still verifies after it, and stays append-only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.utils import timezone

from permissions.audit import SEALED_FIELDS, record_digest, seal, verify_chain
from permissions.models import AuditHead, CommandRun, Grant, Origin, PermissionRequest
from tests.migrating import latest, migrate_to
from tests.permissions.conftest import make_laptop

BEFORE = [("agent_bridge", "0004_audit_owner_and_append_only"), ("permissions", "0001_initial")]


def _seal_old(OldRun: Any, owner_id: int, runs: list[Any]) -> str:
    """What permissions.audit.seal did before the move, on the old table."""
    previous = ""
    for seq, run in enumerate(runs, start=1):
        OldRun.objects.filter(pk=run.pk).update(audit_seq=seq)
        row = OldRun.objects.filter(pk=run.pk).values(*SEALED_FIELDS).get()
        previous = record_digest(previous, row)
        OldRun.objects.filter(pk=run.pk).update(audit_digest=previous)
    AuditHead.objects.update_or_create(
        owner_id=owner_id, defaults={"seq": len(runs), "digest": previous}
    )
    return previous


@pytest.mark.django_db(transaction=True)
def test_moving_command_runs_keeps_rows_and_the_audit_chain(alice: Any) -> None:
    laptop = make_laptop(alice)
    now = timezone.now()
    grant = Grant.objects.create(
        owner=alice,
        agent=laptop,
        target="filesystem",
        action="list",
        scope="~/Downloads",
        kind=Grant.Kind.ALWAYS,
        created_by=alice,
        origin=Origin.SETTINGS,
    )
    request = PermissionRequest.objects.create(
        owner=alice,
        agent=laptop,
        target="shell",
        action="run",
        params={"command": "ls"},
        subject="ls",
        expires_at=now + timedelta(minutes=5),
        idempotency_key="chat:1:call-1",
        status=PermissionRequest.Status.DENIED,
    )
    content_type = ContentType.objects.get_for_model(CommandRun)

    old_apps = migrate_to(BEFORE)
    OldRun = old_apps.get_model("agent_bridge", "CommandRun")
    allowed = OldRun.objects.create(
        owner_id=alice.pk,
        agent_id=laptop.pk,
        target="filesystem",
        action="list",
        params={"path": "~/Downloads"},
        state="succeeded",
        deadline=now,
        finished_at=now,
        result={"entries": []},
        grant_id=grant.pk,
        decided_by_id=alice.pk,
        duration_ms=2.5,
    )
    denied = OldRun.objects.create(
        owner_id=alice.pk,
        agent_id=laptop.pk,
        target="shell",
        action="run",
        params={"command": "ls"},
        state="denied",
        deadline=now,
        finished_at=now,
        error="You denied this request.",
        permission_request_id=request.pk,
        decided_by_id=alice.pk,
        idempotency_key="chat:1:call-1",
        conversation_id=1,
        message_id=2,
    )
    queued = OldRun.objects.create(
        owner_id=alice.pk,
        agent_id=laptop.pk,
        target="filesystem",
        action="list",
        params={"path": "~"},
        deadline=now + timedelta(minutes=1),
        grant_id=grant.pk,
    )
    head = _seal_old(OldRun, alice.pk, [allowed, denied])
    assert ContentType.objects.get(pk=content_type.pk).app_label == "agent_bridge"

    migrate_to(latest())

    assert CommandRun._meta.db_table == "permissions_commandrun"
    assert CommandRun.objects.count() == 3
    check = verify_chain(alice.pk)
    assert check.ok and check.records == 2
    moved = CommandRun.objects.get(pk=allowed.pk)
    assert moved.grant == grant and moved.result == {"entries": []} and moved.is_sealed
    assert CommandRun.objects.get(pk=denied.pk).permission_request == request
    assert list(grant.runs.order_by("created_at")) == [moved, CommandRun.objects.get(pk=queued.pk)]
    assert AuditHead.objects.get(owner=alice).digest == head
    # Still append-only, in the model and in the database.
    with pytest.raises(DatabaseError), transaction.atomic():
        CommandRun.objects.filter(pk=allowed.pk).update(error="edited")
    # An open run carries on and is sealed as the next record of the same chain.
    CommandRun.objects.filter(pk=queued.pk).update(state="succeeded", finished_at=now)
    with transaction.atomic():
        seal(queued.pk)
    assert verify_chain(alice.pk).records == 3 and verify_chain(alice.pk).ok
    # Admin history and model permissions follow the model.
    moved_type = ContentType.objects.get(pk=content_type.pk)
    assert (moved_type.app_label, moved_type.model) == ("permissions", "commandrun")
