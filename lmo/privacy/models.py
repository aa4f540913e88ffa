"""An export of a user's data, and the deletion of an account (which outlives the user:
it is how a deletion interrupted by a crash is finished)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def export_expiry() -> timedelta:
    return timedelta(hours=settings.LMO_EXPORT_HOURS)


class DataExport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    step = models.CharField(max_length=120, blank=True, help_text="What is being written.")
    file = models.FileField(upload_to="exports/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("state", "expires_at"), name="export_state_expiry")]

    def __str__(self) -> str:
        return f"Export of {self.owner_id} ({self.state})"

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.READY and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.BUILDING)


class AccountDeletion(models.Model):
    """A requested deletion. No foreign key: it stays while the user's rows go, and the
    e-mail is blanked once the confirmation was sent."""

    class State(models.TextChoices):
        DELETING = "deleting", "Deleting"
        DONE = "done", "Deleted"

    user_id = models.BigIntegerField(unique=True)
    email = models.EmailField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DELETING)
    step = models.CharField(max_length=60, blank=True, help_text="The last step finished.")
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="A worker is on it.")
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Deletion of user {self.user_id} ({self.state})"
