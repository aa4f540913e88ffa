"""What happened on the user's machines and in their life: spending, job applications,
pages, system events. Typed columns hold what the dashboard queries (amounts, job
status); ``details`` keeps everything the source said, as it said it."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


class ActivityType(models.TextChoices):
    FINANCIAL = "financial", "Financial"
    JOB = "job", "Job application"
    BROWSER = "browser", "Browser"
    SYSTEM = "system", "System"
    OTHER = "other", "Other"


class Source(models.TextChoices):
    AGENT = "agent", "Computer"
    IMPORT = "import", "Import"
    ASSISTANT = "assistant", "Assistant"
    MANUAL = "manual", "Added by hand"
    API = "api", "API"


class JobStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    SCREENING = "screening", "Screening"
    INTERVIEW = "interview", "Interviewing"
    OFFER = "offer", "Offer"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


SEARCHED = ("description", "counterparty", "company", "role", "application", "category")


class ActivityQuerySet(models.QuerySet["Activity"]):
    def owned_by(self, user: Any) -> ActivityQuerySet:
        return self.filter(owner=user)

    def financial(self) -> ActivityQuerySet:
        return self.filter(type=ActivityType.FINANCIAL, amount__isnull=False)

    def jobs(self) -> ActivityQuerySet:
        return self.filter(type=ActivityType.JOB)

    def search(self, text: str) -> ActivityQuerySet:
        """Activities whose words (description, merchant, company, role, application,
        category) contain ``text``."""
        words = Q()
        for field in SEARCHED:
            words |= Q(**{f"{field}__icontains": text})
        return self.filter(words)


class Activity(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities"
    )
    type = models.CharField(max_length=16, choices=ActivityType.choices)
    occurred_at = models.DateTimeField("when")
    application = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    agent = models.ForeignKey(
        "agent_bridge.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        help_text="The computer that reported it.",
    )
    external_id = models.CharField(max_length=255, help_text="Unique per user (dedupe).")
    # financial
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Negative: money out."
    )
    currency = models.CharField(max_length=3, blank=True)
    category = models.CharField(max_length=64, blank=True)
    counterparty = models.CharField("merchant / payer", max_length=200, blank=True)
    # job applications
    company = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "activities"
        ordering = ("-occurred_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("owner", "external_id"), name="activity_owner_external_id"
            ),
            models.CheckConstraint(
                condition=Q(type__in=ActivityType.values), name="activity_type_known"
            ),
        ]
        indexes = [
            # the list, the timeline and the heat map (any type, newest first)
            models.Index(fields=("owner", "-occurred_at", "-id"), name="activity_owner_time"),
            # every per-type chart: spending over time, by category, merchants, pipeline
            models.Index(
                fields=("owner", "type", "occurred_at"),
                name="activity_owner_type_time",
                include=("amount", "currency", "category", "counterparty"),
            ),
            models.Index(fields=("owner", "application"), name="activity_owner_app"),
            models.Index(
                fields=("owner", "status"),
                name="activity_owner_job_status",
                condition=Q(type="job"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.description}"

    @property
    def is_spending(self) -> bool:
        return self.amount is not None and self.amount < 0

    @property
    def tag_names(self) -> list[str]:
        return sorted(t.name for t in self.tags.all())


class Tag(models.Model):
    """A tag on one activity (its own rows, so filtering by tag is an indexed join)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("activity", "name"), name="tag_unique_per_activity")
        ]
        indexes = [models.Index(fields=("name", "activity"), name="tag_name_activity")]

    def __str__(self) -> str:
        return self.name


class StatusChange(models.Model):
    """One step of a job application's history (the first one is "applied")."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=16, choices=JobStatus.choices)
    changed_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("changed_at", "id")

    def __str__(self) -> str:
        return f"{self.status} at {self.changed_at:%Y-%m-%d}"


class TrackingPreference(models.Model):
    """What the user lets LMO record, and for how long. Absent types/applications are on."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracking"
    )
    disabled_types = models.JSONField(default=list, blank=True)
    disabled_applications = models.JSONField(default=list, blank=True)
    # {type: days}; a type not listed is kept until deleted.
    retention_days = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Tracking of {self.owner}"

    def allows(self, type_: str, application: str) -> bool:
        if type_ in self.disabled_types:
            return False
        return application.strip().lower() not in {a.lower() for a in self.disabled_applications}

    def agent_config(self) -> dict[str, Any]:
        return {
            "tracking": {
                "disabled_types": sorted(self.disabled_types),
                "disabled_applications": sorted(self.disabled_applications),
            }
        }


class PendingImport(models.Model):
    """An uploaded statement between its preview and the user's confirmation (kept in
    the database, so any server process can confirm it; stale ones are purged daily)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_imports"
    )
    name = models.CharField(max_length=255)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
