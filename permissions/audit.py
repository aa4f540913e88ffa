"""The audit trail: every command run is a record (allowed, denied, not answered,
failed...). When a record finishes it is sealed into its owner's hash chain: it gets the
next sequence number and ``digest = sha256(previous digest + its canonical content)``.
From then on it cannot change (the model refuses, and a database trigger refuses any
UPDATE), and ``verify_chain`` shows an edited, inserted or deleted record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from permissions.models import AuditHead, CommandRun

SEALED_FIELDS = (
    "id",
    "owner_id",
    "agent_id",
    "target",
    "action",
    "params",
    "state",
    "result",
    "error_code",
    "error",
    "grant_id",
    "permission_request_id",
    "decided_by_id",
    "requested_by_id",
    "conversation_id",
    "message_id",
    "created_at",
    "finished_at",
    "duration_ms",
    "audit_seq",
)
# Sealed only when set: records sealed before a field existed keep their digests.
SEALED_WHEN_SET = ("client",)


def _canonical(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def record_digest(previous: str, row: dict[str, Any]) -> str:
    content = {name: _canonical(row.get(name)) for name in SEALED_FIELDS}
    content.update({name: row[name] for name in SEALED_WHEN_SET if row.get(name)})
    text = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(f"{previous}\n{text}".encode()).hexdigest()


def _next_seq(owner_id: int) -> tuple[int, str]:
    """Take the next number of the owner's chain. The UPDATE comes first so the row (or,
    on SQLite, the database) is locked until the caller's transaction ends."""
    for _ in range(2):
        if AuditHead.objects.filter(owner_id=owner_id).update(seq=F("seq") + 1):
            head = AuditHead.objects.get(owner_id=owner_id)
            return head.seq, head.digest
        try:
            with transaction.atomic():
                AuditHead.objects.create(owner_id=owner_id, seq=1, digest="")
            return 1, ""
        except IntegrityError:
            continue  # created by a concurrent seal: take the UPDATE path
    raise RuntimeError("could not take the next audit sequence number")


def seal(run_id: Any) -> str:
    """Seal a finished record into its owner's chain (inside the caller's transaction,
    after its last change). Sealing twice does nothing."""
    row = CommandRun.objects.filter(pk=run_id).values("owner_id", "state", "audit_digest").first()
    if row is None or row["audit_digest"] or row["state"] in CommandRun.OPEN_STATES:
        return row["audit_digest"] if row else ""
    seq, previous = _next_seq(row["owner_id"])
    CommandRun.objects.filter(pk=run_id).update(audit_seq=seq)
    content = CommandRun.objects.filter(pk=run_id).values(*SEALED_FIELDS, *SEALED_WHEN_SET).get()
    digest = record_digest(previous, content)
    CommandRun.objects.filter(pk=run_id, audit_digest="").update(audit_digest=digest)
    AuditHead.objects.filter(owner_id=row["owner_id"]).update(digest=digest)
    return digest


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    records: int
    problem: str = ""
    seq: int | None = None


def verify_chain(owner_id: int) -> ChainCheck:
    """Recompute the owner's chain from the first record: every digest must follow from
    the previous one, numbers must be consecutive, and the head must be the last."""
    rows: Iterable[dict[str, Any]] = (
        CommandRun.objects.filter(owner_id=owner_id, audit_seq__isnull=False)
        .order_by("audit_seq")
        .values(*SEALED_FIELDS, *SEALED_WHEN_SET, "audit_digest")
        .iterator(chunk_size=2000)
    )
    previous, count = "", 0
    for row in rows:
        count += 1
        if row["audit_seq"] != count:
            return ChainCheck(False, count, f"record {count} is missing", count)
        if record_digest(previous, row) != row["audit_digest"]:
            return ChainCheck(False, count, f"record {count} was changed", count)
        previous = row["audit_digest"]
    head = AuditHead.objects.filter(owner_id=owner_id).first()
    if head is not None and (head.seq != count or head.digest != previous):
        return ChainCheck(False, count, f"records after {count} are missing", count + 1)
    return ChainCheck(True, count)
