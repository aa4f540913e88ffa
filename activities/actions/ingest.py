"""The one way activities are stored, whatever their source: each item validated, items
the user switched off dropped, duplicates (by external id) ignored, the rest inserted in
bulk, and every item answered. A bad item never blocks the good ones; a batch sent again
adds nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from pydantic import ValidationError

from activities import notices
from activities.actions.bulk_pg import insert_new
from activities.live import push_added_on_commit
from activities.models import Activity, ActivityType, StatusChange, Tag, TrackingPreference
from activities.schemas import ActivityIn, first_error
from agent_bridge.local_agent.protocol import ItemOutcome


@dataclass
class _Row:
    index: int
    item: ActivityIn
    when: datetime


def _outcome(*, id: str, status: str, reason: str = "") -> ItemOutcome:
    # Built here from checked values: skip re-validating thousands of them per batch.
    return ItemOutcome.model_construct(id=id[:255], status=status, reason=reason[:500])


def tracking_for(owner: Any) -> TrackingPreference:
    """The user's tracking preferences (defaults, unsaved, when never set)."""
    return TrackingPreference.objects.filter(owner=owner).first() or TrackingPreference(owner=owner)


def _validate(
    items: Iterable[Any], owner: Any, prefs: TrackingPreference
) -> tuple[list[_Row], dict[int, ItemOutcome]]:
    tz = owner.tzinfo
    rows: list[_Row] = []
    answered: dict[int, ItemOutcome] = {}
    seen: set[str] = set()
    for index, raw in enumerate(items):
        ident = str(raw.get("id") or "")[:255] if isinstance(raw, dict) else ""
        ident = ident or f"#{index}"
        try:
            item = ActivityIn.model_validate(raw)
            when = item.occurred_at(tz)
        except (ValidationError, ValueError) as exc:
            answered[index] = _outcome(id=ident, status="rejected", reason=first_error(exc)[:500])
            continue
        if not prefs.allows(item.type, item.application):
            what = item.application if item.type not in prefs.disabled_types else item.type
            answered[index] = _outcome(
                id=ident, status="rejected", reason=f"tracking of {what} is switched off"
            )
        elif item.id in seen:
            answered[index] = _outcome(id=ident, status="duplicate")
        else:
            seen.add(item.id)
            rows.append(_Row(index, item, when))
    return rows, answered


def check_items(owner: Any, items: list[Any]) -> list[tuple[int, str]]:
    """``(index, reason)`` of each item that would be rejected as invalid (nothing stored)."""
    _, answered = _validate(items, owner, TrackingPreference(owner=owner))
    return [(i, o.reason) for i, o in sorted(answered.items()) if o.status == "rejected"]


def _fields(owner_id: int, row: _Row, source: str, agent_id: Any) -> dict[str, Any]:
    item = row.item
    return {
        "owner_id": owner_id,
        "type": item.type,
        "occurred_at": row.when,
        "application": item.application,
        "description": item.description,
        "details": item.details,
        "source": source,
        "agent_id": agent_id,
        "external_id": item.id,
        "amount": item.amount,
        "currency": item.currency,
        "category": item.category,
        "counterparty": item.counterparty,
        "company": item.company,
        "role": item.role,
        "status": item.status,
        "status_changed_at": row.when if item.type == ActivityType.JOB else None,
    }


def _insert(rows: list[dict[str, Any]], *, need_ids: bool) -> list[int | None]:
    """Insert in bulk; returns each row's new id (0 if not ``need_ids``), None for one
    another writer stored meanwhile."""
    if connection.vendor == "postgresql":
        inserted = insert_new(rows, need_ids=need_ids)
        return [inserted.get(r["external_id"]) for r in rows]
    # Elsewhere: one multi-row INSERT; on a conflict, one by one in savepoints.
    activities = [Activity(**r) for r in rows]
    try:
        with transaction.atomic():
            return [a.pk for a in Activity.objects.bulk_create(activities)]
    except IntegrityError:
        stored: list[int | None] = []
        for activity in activities:
            try:
                with transaction.atomic():
                    activity.save(force_insert=True)
                stored.append(activity.pk)
            except IntegrityError:
                stored.append(None)
        return stored


def _noticed(item: ActivityIn, threshold: Decimal | None) -> bool:
    """Whether a rule of activities.notices is about it (large money out, a job, a report)."""
    if item.type == ActivityType.FINANCIAL:
        return item.amount is not None and threshold is not None and -item.amount >= threshold
    return item.type == ActivityType.JOB


def _known(owner: Any, ids: list[str]) -> set[str]:
    if connection.vendor == "postgresql":
        return set()  # ON CONFLICT tells, in the insert itself
    found = Activity.objects.filter(owner=owner, external_id__in=ids)
    return set(found.values_list("external_id", flat=True))


def ingest_activities(
    *, owner: Any, items: list[Any], source: str, agent: Any = None
) -> list[ItemOutcome]:
    """Store what can be stored; answer every item, in order."""
    prefs = tracking_for(owner)
    rows, answered = _validate(items, owner, prefs)
    reports = []
    for row in rows:
        report = notices.folder_report_of(row.item.type, row.item.application, row.item.details)
        if report is not None:
            reports.append((row.item.id, report))
            answered[row.index] = _outcome(id=row.item.id, status="accepted")
    rows = [r for r in rows if r.index not in answered]  # reports are told, not stored
    known = _known(owner, [r.item.id for r in rows])
    fresh = [r for r in rows if r.item.id not in known]
    for row in rows:
        if row.item.id in known:
            answered[row.index] = _outcome(id=row.item.id, status="duplicate")
    agent_id = agent.pk if agent is not None else None
    with transaction.atomic():
        outflow = any(r.item.amount is not None and r.item.amount < 0 for r in fresh)
        threshold = notices.large_threshold(owner) if outflow else None
        need_ids = any(r.item.tags or _noticed(r.item, threshold) for r in fresh)
        stored = _insert([_fields(owner.pk, r, source, agent_id) for r in fresh], need_ids=need_ids)
        tags: list[Tag] = []
        history: list[StatusChange] = []
        added = 0
        noticed: list[notices.Stored] = []
        for row, pk in zip(fresh, stored, strict=True):
            if pk is None:
                answered[row.index] = _outcome(id=row.item.id, status="duplicate")
                continue
            added += 1
            answered[row.index] = _outcome(id=row.item.id, status="accepted")
            tags += [Tag(activity_id=pk, name=name) for name in row.item.tags]
            if _noticed(row.item, threshold):
                noticed.append(notices.Stored(pk, row.item, row.when))
            if row.item.type == ActivityType.JOB:
                history.append(
                    StatusChange(activity_id=pk, status=row.item.status, changed_at=row.when)
                )
        Tag.objects.bulk_create(tags)
        StatusChange.objects.bulk_create(history)
        notices.notify_stored(owner, noticed, threshold=threshold)
        for external_id, report in reports:
            notices.tell_folder_report(owner, report, external_id)
        if added:
            push_added_on_commit(owner_id=owner.pk, count=added)
    return [answered[i] for i in range(len(items))]


def ingest_from_agent(agent: Any, items: list[dict[str, Any]]) -> list[ItemOutcome]:
    """The bridge's ingestor: activities a computer reported, stored as its owner's."""
    return ingest_activities(owner=agent.owner, items=items, source="agent", agent=agent)
