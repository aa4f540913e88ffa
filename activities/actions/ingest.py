"""The one way activities are stored, whatever their source: each item validated, items
the user switched off dropped, duplicates (by external id) ignored, the rest inserted in
bulk, and every item answered. A bad item never blocks the good ones; a batch sent again
adds nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from pydantic import ValidationError

from activities.live import push_added_on_commit
from activities.models import Activity, ActivityType, StatusChange, Tag, TrackingPreference
from activities.schemas import ActivityIn, first_error
from agent_bridge.protocol import ItemOutcome


@dataclass
class _Row:
    index: int
    item: ActivityIn
    when: datetime


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
            answered[index] = ItemOutcome(
                id=ident, status="rejected", reason=first_error(exc)[:500]
            )
            continue
        if not prefs.allows(item.type, item.application):
            what = item.application if item.type not in prefs.disabled_types else item.type
            answered[index] = ItemOutcome(
                id=ident, status="rejected", reason=f"tracking of {what} is switched off"
            )
        elif item.id in seen:
            answered[index] = ItemOutcome(id=ident, status="duplicate")
        else:
            seen.add(item.id)
            rows.append(_Row(index, item, when))
    return rows, answered


def check_items(owner: Any, items: list[Any]) -> list[tuple[int, str]]:
    """``(index, reason)`` of each item that would be rejected as invalid (nothing stored)."""
    _, answered = _validate(items, owner, TrackingPreference(owner=owner))
    return [(i, o.reason) for i, o in sorted(answered.items()) if o.status == "rejected"]


def _activity(owner: Any, row: _Row, source: str, agent: Any) -> Activity:
    item = row.item
    return Activity(
        owner=owner,
        type=item.type,
        occurred_at=row.when,
        application=item.application,
        description=item.description,
        details=item.details,
        source=source,
        agent=agent,
        external_id=item.id,
        amount=item.amount,
        currency=item.currency,
        category=item.category,
        counterparty=item.counterparty,
        company=item.company,
        role=item.role,
        status=item.status,
        status_changed_at=row.when if item.type == ActivityType.JOB else None,
    )


def _insert(activities: list[Activity]) -> list[Activity | None]:
    """Insert in bulk; if another writer stored one of them meanwhile, one by one (each
    in its own savepoint), the taken ones answering None."""
    try:
        with transaction.atomic():
            return list(Activity.objects.bulk_create(activities))
    except IntegrityError:
        stored: list[Activity | None] = []
        for activity in activities:
            try:
                with transaction.atomic():
                    activity.save(force_insert=True)
                stored.append(activity)
            except IntegrityError:
                stored.append(None)
        return stored


def ingest_activities(
    *, owner: Any, items: list[Any], source: str, agent: Any = None
) -> list[ItemOutcome]:
    """Store what can be stored; answer every item, in order."""
    prefs = tracking_for(owner)
    rows, answered = _validate(items, owner, prefs)
    known = set(
        Activity.objects.filter(owner=owner, external_id__in=[r.item.id for r in rows]).values_list(
            "external_id", flat=True
        )
    )
    fresh = [r for r in rows if r.item.id not in known]
    for row in rows:
        if row.item.id in known:
            answered[row.index] = ItemOutcome(id=row.item.id, status="duplicate")
    with transaction.atomic():
        stored = _insert([_activity(owner, r, source, agent) for r in fresh])
        tags: list[Tag] = []
        history: list[StatusChange] = []
        added = 0
        for row, activity in zip(fresh, stored, strict=True):
            if activity is None:
                answered[row.index] = ItemOutcome(id=row.item.id, status="duplicate")
                continue
            added += 1
            answered[row.index] = ItemOutcome(id=row.item.id, status="accepted")
            tags += [Tag(activity=activity, name=name) for name in row.item.tags]
            if activity.type == ActivityType.JOB:
                history.append(
                    StatusChange(activity=activity, status=activity.status, changed_at=row.when)
                )
        Tag.objects.bulk_create(tags)
        StatusChange.objects.bulk_create(history)
        if added:
            push_added_on_commit(owner_id=owner.pk, count=added)
    return [answered[i] for i in range(len(items))]


def ingest_from_agent(agent: Any, items: list[dict[str, Any]]) -> list[ItemOutcome]:
    """The bridge's ingestor: activities a computer reported, stored as its owner's."""
    return ingest_activities(owner=agent.owner, items=items, source="agent", agent=agent)
