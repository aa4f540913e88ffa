"""Notifications raised by what the user's activities say: money out above their threshold,
a job application's news, an import's result. Each is raised once (a dedupe key named
after the activity, so a replayed or re-imported activity never notifies twice), inside
the transaction that stored it, and reaches the user as their preferences say (digest,
quiet hours)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from activities.models import ActivityType, JobStatus
from activities.schemas import ActivityIn
from notifications.actions import notify
from notifications.models import Category, Priority
from notifications.preferences import settings_for

# One batch (a busy week's statement, say) tells about this many transactions one by one,
# and about the rest in one notification.
EACH_AT_MOST = 5
# A large transaction is news while it is recent: an older one (last year's statement
# imported today) is told by the import's own notification, not one by one.
LARGE_RECENT = timedelta(days=7)


@dataclass(frozen=True)
class Stored:
    """A freshly stored activity, as the ingestion knows it (no extra query)."""

    pk: int
    item: ActivityIn
    when: datetime


def _key(kind: str, external_id: str, *rest: object) -> str:
    digest = hashlib.sha256(external_id.encode()).hexdigest()[:32]
    return ":".join([kind, digest, *map(str, rest)])


def _money(amount: Decimal, currency: str) -> str:
    return f"{abs(amount):,.2f} {currency}".strip()


def _day(owner: Any, when: datetime) -> str:
    return date_format(when.astimezone(owner.tzinfo), "j M Y")


def _detail(pk: int) -> str:
    return reverse("activities:detail", args=[pk])


def large_threshold(owner: Any) -> Decimal:
    """From which amount money out is a large transaction (Settings -> Notifications)."""
    return settings_for(owner).large_transaction_amount


def _large(owner: Any, stored: list[Stored], threshold: Decimal | None) -> None:
    if threshold is None:
        return
    since = timezone.now() - LARGE_RECENT
    large = [
        s
        for s in stored
        if s.item.type == ActivityType.FINANCIAL
        and s.item.amount is not None
        and -s.item.amount >= threshold
        and s.when >= since
    ]
    for entry in large[:EACH_AT_MOST]:
        item = entry.item
        assert item.amount is not None
        where = f" at {item.counterparty}" if item.counterparty else ""
        notify(
            owner=owner,
            category=Category.TRANSACTION,
            priority=Priority.HIGH,
            title=f"Large transaction: {_money(item.amount, item.currency)}{where}",
            body=f"{item.description} on {_day(owner, entry.when)} "
            f"(your threshold is {threshold:,.2f}).",
            link=_detail(entry.pk),
            dedupe_key=_key("large", item.id),
        )
    rest = large[EACH_AT_MOST:]
    if rest:
        query = urlencode({"type": "financial", "min": f"{threshold}"})
        days = sorted(entry.when for entry in rest)
        notify(
            owner=owner,
            category=Category.TRANSACTION,
            priority=Priority.HIGH,
            title=f"{len(rest)} more large transactions",
            body=f"Each of at least {threshold:,.2f}, from {_day(owner, days[0])} "
            f"to {_day(owner, days[-1])}.",
            link=f"{reverse('activities:dashboard')}?{query}",
            dedupe_key=_key("large-more", rest[0].item.id, len(rest)),
        )


def _job_title(status: str, company: str, role: str) -> str:
    what = " at ".join(part for part in (role, company) if part) or "a job application"
    label = JobStatus(status).label if status in JobStatus.values else "Applied"
    return f"{label}: {what}"


def _jobs(owner: Any, stored: list[Stored]) -> None:
    jobs = [s for s in stored if s.item.type == ActivityType.JOB]
    for entry in jobs[:EACH_AT_MOST]:
        item = entry.item
        notify(
            owner=owner,
            category=Category.JOB,
            title=f"New job application — {_job_title(item.status, item.company, item.role)}",
            body=f"{item.description} ({_day(owner, entry.when)}).",
            link=_detail(entry.pk),
            dedupe_key=_key("job", item.id, item.status or "applied"),
        )
    if len(jobs) > EACH_AT_MOST:
        notify(
            owner=owner,
            category=Category.JOB,
            title=f"{len(jobs) - EACH_AT_MOST} more job applications",
            link=f"{reverse('activities:dashboard')}?view=jobs",
            dedupe_key=_key("job-more", jobs[EACH_AT_MOST].item.id, len(jobs)),
        )


def job_status_changed(*, activity: Any, change_id: int) -> None:
    """A job application moved along its pipeline (by the user, the assistant or the API)."""
    notify(
        owner=activity.owner,
        category=Category.JOB,
        title=_job_title(activity.status, activity.company, activity.role),
        body=f"{activity.description}: now {activity.get_status_display().lower()}.",
        link=_detail(activity.pk),
        dedupe_key=_key("job-status", activity.external_id, change_id),
    )


class FolderReport(BaseModel):
    """What the agent says about a statement it read from the watched folder (untrusted:
    checked like any frame)."""

    model_config = ConfigDict(extra="ignore")
    file: str = Field(min_length=1, max_length=255)
    transactions: int = Field(default=0, ge=0, le=10_000_000)
    queued: int = Field(default=0, ge=0, le=10_000_000)
    skipped: int = Field(default=0, ge=0, le=10_000_000)
    layout: str = Field(default="", max_length=120)
    error: str = Field(default="", max_length=500)


REPORTER = "LMO agent"  # the application the agent's folder reports come from


def folder_report_of(type_: str, application: str, details: dict[str, Any]) -> FolderReport | None:
    """The report an item carries, if it is one: told to the user, never stored as an
    activity (it is about a file, not about the user's day)."""
    raw = details.get("statement")
    if type_ != ActivityType.SYSTEM or application != REPORTER or not isinstance(raw, dict):
        return None
    try:
        return FolderReport.model_validate(raw)
    except ValidationError:
        return None  # stored as the system event it is; nothing to tell


def tell_folder_report(owner: Any, report: FolderReport, external_id: str) -> None:
    """A statement of the computer's watched folder was read, or could not be."""
    if report.error:
        import_failed(owner=owner, name=report.file, error=report.error, key=external_id)
        return
    parts = [f"{report.transactions} transactions"]
    if report.layout:
        parts.append(f"read as {report.layout}")
    if report.skipped:
        parts.append(f"{report.skipped} not tracked (Settings → Tracking)")
    if report.transactions - report.skipped > report.queued:
        parts.append(f"{report.transactions - report.skipped - report.queued} already on the way")
    notify(
        owner=owner,
        category=Category.IMPORT,
        title=f"Statement read: {report.file}",
        body=", ".join(parts) + ". Those LMO already had are not added twice.",
        link=reverse("activities:dashboard") + "?view=financial",
        dedupe_key=_key("import", external_id),
    )


def import_finished(*, owner: Any, name: str, outcomes: list[Any], key: str) -> None:
    """A statement uploaded on the dashboard was stored."""
    counts = {status: 0 for status in ("accepted", "duplicate", "rejected")}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    body = (
        f"{counts['accepted']} new, {counts['duplicate']} already there, "
        f"{counts['rejected']} rejected."
    )
    first = next((o for o in outcomes if o.status == "rejected"), None)
    if first is not None:
        body += f" First rejected: {first.reason}"
    notify(
        owner=owner,
        category=Category.IMPORT,
        title=f"Import finished: {name}",
        body=body,
        link=reverse("activities:dashboard") + "?view=financial",
        dedupe_key=_key("import", key),
    )


def import_failed(
    *, owner: Any, name: str, error: str, key: str, priority: int = Priority.NORMAL
) -> None:
    """A statement could not be read (uploaded, or in the computer's watched folder)."""
    notify(
        owner=owner,
        category=Category.IMPORT,
        priority=priority,
        title=f"Import failed: {name}",
        body=f"Nothing was imported. {error}",
        link=reverse("activities:import"),
        dedupe_key=_key("import-failed", key),
    )


def notify_stored(owner: Any, stored: list[Stored], *, threshold: Decimal | None) -> None:
    """Every rule about freshly stored activities (called inside the ingestion's
    transaction: if it rolls back, nothing was notified)."""
    if not stored:
        return
    _large(owner, stored, threshold)
    _jobs(owner, stored)
