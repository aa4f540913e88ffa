"""Activities added, edited, tagged and moved along by hand (or by the assistant)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from activities import notices
from activities.actions.ingest import ingest_activities
from activities.live import push_added_on_commit
from activities.models import Activity, ActivityType, StatusChange, Tag
from activities.schemas import clean_tag


class ActivityRefused(ValueError):
    """The activity cannot be stored; the message says why."""


def record_activity(
    *, owner: Any, data: dict[str, Any], source: str, external_id: str = ""
) -> Activity:
    """Store one activity through the same validation as every other source.
    ``external_id`` makes a retried call (the assistant's, after a resume) store it once."""
    item = {**data, "id": external_id or f"{source}:{uuid.uuid4().hex}"}
    outcome = ingest_activities(owner=owner, items=[item], source=source)[0]
    if outcome.status == "rejected":
        raise ActivityRefused(outcome.reason)
    return Activity.objects.get(owner=owner, external_id=item["id"])


@transaction.atomic
def update_activity(*, activity: Activity, changes: dict[str, Any], tags: list[str]) -> Activity:
    """Apply edited fields (already validated by the form) and replace the tags."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    for field, value in changes.items():
        setattr(activity, field, value)
    if activity.type != ActivityType.FINANCIAL:
        activity.amount = None
    activity.save()
    set_tags(activity=activity, tags=tags)
    push_added_on_commit(owner_id=activity.owner_id, count=0)
    return activity


def set_tags(*, activity: Activity, tags: list[str]) -> None:
    names = {clean_tag(t) for t in tags if t.strip()}
    with transaction.atomic():
        activity.tags.exclude(name__in=names).delete()
        present = set(activity.tags.values_list("name", flat=True))
        Tag.objects.bulk_create([Tag(activity=activity, name=n) for n in sorted(names - present)])


@transaction.atomic
def change_status(*, activity: Activity, status: str, note: str = "") -> Activity:
    """Move a job application along its pipeline, keeping the history."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.type != ActivityType.JOB:
        raise ActivityRefused("Only job applications have a status.")
    if status == activity.status:
        return activity
    now = timezone.now()
    activity.status = status
    activity.status_changed_at = now
    activity.save(update_fields=["status", "status_changed_at", "updated_at"])
    change = StatusChange.objects.create(
        activity=activity, status=status, changed_at=now, note=note[:200]
    )
    notices.job_status_changed(activity=activity, change_id=change.pk)
    push_added_on_commit(owner_id=activity.owner_id, count=0)
    return activity
