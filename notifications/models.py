"""Notifications, their deliveries per channel, and each user's preferences."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Category(models.TextChoices):
    """What a notification is about; preferences are kept per category."""

    PERMISSION = "permission", "Permission requests"
    COMMAND = "command", "Commands on your computers"
    COMPUTER = "computer", "Computer connection"
    TRANSACTION = "transaction", "Large transactions"
    JOB = "job", "Job applications"
    IMPORT = "import", "Imports"
    ASSISTANT = "assistant", "Assistant"
    SECURITY = "security", "Account security"
    USAGE = "usage", "Usage and quotas"


class Priority(models.IntegerChoices):
    LOW = 10, "Low"
    NORMAL = 20, "Normal"
    HIGH = 30, "High"
    URGENT = 40, "Urgent"

    @classmethod
    def parse(cls, value: str | int) -> Priority:
        """A priority from its value or its name ("urgent")."""
        if isinstance(value, str) and not value.isdigit():
            return cls[value.upper()]
        return cls(int(value))


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_owner(self, user: Any) -> NotificationQuerySet:
        return self.filter(owner=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def shown_in_app(self) -> NotificationQuerySet:
        return self.filter(in_app=True)


class Notification(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="A path in LMO to open.")
    # [{"key": "approve", "label": "Allow once", "handler": "...", "params": {...},
    #   "style": "primary"}]: each handler authorizes the user again when run.
    actions = models.JSONField(default=list, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    # Whether the user's preferences let it show in the app (badge, toast); it is kept
    # in the centre either way.
    in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    acted_key = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="notif_owner_created"),
            models.Index(
                fields=["owner"], condition=Q(read_at__isnull=True), name="notif_owner_unread"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notif_unique_dedupe_key",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notifications:open", args=[self.pk])

    @property
    def dom_id(self) -> str:
        """Its centre list item's id (its toast's is ``toast-<dom_id>``)."""
        return f"notification-{self.pk}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def is_urgent(self) -> bool:
        return self.priority >= Priority.URGENT

    @property
    def priority_name(self) -> str:
        return Priority(self.priority).name.lower()

    @property
    def pending_actions(self) -> list[dict[str, Any]]:
        """The actions still offered (none once one was taken)."""
        return [] if self.acted_at else list(self.actions)

    def action(self, key: str) -> dict[str, Any] | None:
        return next((a for a in self.actions if a.get("key") == key), None)


class Delivery(models.Model):
    """One channel's delivery of one notification; the state makes the task idempotent."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"  # a task is (or will be) sending it
        SENDING = "sending", "Sending"  # claimed by a task
        DIGEST = "digest", "Waiting for the digest"  # low priority or quiet hours
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_one_per_channel"
            )
        ]
        indexes = [models.Index(fields=["channel", "state"], name="delivery_channel_state")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} of #{self.notification_id}: {self.state}"


class NotificationSettings(models.Model):
    """A user's settings that are not per category: quiet hours and rule thresholds."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    urgent_breaks_quiet = models.BooleanField(
        default=True, help_text="Urgent notifications are shown and e-mailed in quiet hours too."
    )
    large_transaction_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("500.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Tell me about a transaction of at least this amount.",
    )
    unusual_spending_percent = models.PositiveIntegerField(
        default=50,
        validators=[MinValueValidator(10)],
        help_text="Tell me when a category's spending this month is this much above its "
        "usual month (the median of the three before).",
    )
    unusual_spending = models.BooleanField(
        default=True, help_text="Tell me about unusual spending in a category."
    )
    computer_offline_minutes = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(1)],
        help_text="Tell me when a computer has been disconnected this long.",
    )

    def __str__(self) -> str:
        return f"Notification settings of {self.owner}"

    @property
    def has_quiet_hours(self) -> bool:
        return (
            self.quiet_start is not None
            and self.quiet_end is not None
            and self.quiet_start != self.quiet_end
        )

    def is_quiet(self, moment: datetime, tz: Any) -> bool:
        """Whether ``moment`` falls in the quiet hours, read on the user's clock."""
        if not self.has_quiet_hours:
            return False
        start, end = self.quiet_start, self.quiet_end
        assert start is not None and end is not None
        local: time = moment.astimezone(tz).time()
        if start < end:
            return start <= local < end
        return local >= start or local < end  # across midnight, e.g. 22:00-07:00


class CategoryPreference(models.Model):
    """How one category reaches the user. No row means the category's defaults."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    email_min_priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.HIGH
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "category"], name="pref_one_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.owner}: {self.category}"
