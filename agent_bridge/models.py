"""Computers (agents), their tokens, pairing codes, and the commands sent to them."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AgentQuerySet(models.QuerySet["Agent"]):
    def owned_by(self, user: Any) -> AgentQuerySet:
        return self.filter(owner=user)

    def active(self) -> AgentQuerySet:
        return self.filter(revoked_at__isnull=True)


class Agent(models.Model):
    """One computer running the local agent, paired with one user."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agents"
    )
    name = models.CharField(max_length=80)
    platform = models.CharField(max_length=120, blank=True)
    hostname = models.CharField(max_length=255, blank=True)
    agent_version = models.CharField(max_length=40, blank=True)
    protocol_version = models.PositiveSmallIntegerField(null=True, blank=True)
    # The connectors and actions the agent declared in its last hello (protocol.ConnectorSpec).
    capabilities = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    connected = models.BooleanField(default=False)
    # The channel of the live connection (a second connection replaces the first).
    channel_name = models.CharField(max_length=200, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AgentQuerySet.as_manager()

    class Meta:
        ordering = ("name", "created_at")
        indexes = [models.Index(fields=("owner", "revoked_at"))]

    def __str__(self) -> str:
        return self.name

    @property
    def group(self) -> str:
        """The channel-layer group of this agent's live connection."""
        return f"agent.{self.pk.hex}"

    def connector(self, name: str) -> dict[str, Any] | None:
        for connector in self.capabilities or ():
            if connector.get("name") == name:
                return dict(connector)
        return None

    def action(self, target: str, action: str) -> dict[str, Any] | None:
        connector = self.connector(target)
        for spec in (connector or {}).get("actions", ()):
            if spec.get("name") == action:
                return dict(spec)
        return None


class AgentToken(models.Model):
    """A bearer token of one agent: only its SHA-256 is stored; shown once."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)  # shown to tell tokens apart
    label = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.agent})"


class Pairing(models.Model):
    """The device-code flow: the agent holds a secret device code (hashed here) and shows
    the user a short code, which the user enters while signed in; the agent's next poll
    then receives its token, once."""

    class State(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        DELIVERED = "delivered"

    device_digest = models.CharField(max_length=64, unique=True)
    user_code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=80)
    platform = models.CharField(max_length=120, blank=True)
    requested_from = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    last_polled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_code} ({self.state})"


class CommandRunQuerySet(models.QuerySet["CommandRun"]):
    def owned_by(self, user: Any) -> CommandRunQuerySet:
        return self.filter(owner=user)

    def unfinished(self) -> CommandRunQuerySet:
        return self.filter(state__in=CommandRun.OPEN_STATES)


class CommandRun(models.Model):
    """One command for one agent. Written before anything is sent: the channel layer only
    nudges the connection, which reads what to send from here."""

    class State(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        ACKED = "acked"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        TIMED_OUT = "timed_out", "Timed out"
        CANCELLED = "cancelled"
        DENIED = "denied"
        EXPIRED = "expired", "Not answered"  # its permission request expired

    OPEN_STATES = (State.QUEUED, State.SENT, State.ACKED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="command_runs"
    )
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="runs")
    target = models.CharField(max_length=64)
    action = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    deadline = models.DateTimeField()
    result = models.JSONField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # times sent
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    acked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)  # as measured by the agent
    # Who asked: a chat tool call (idempotency key, so a re-run node finds its run) and
    # the chat run waiting for the result.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    # The audit: what allowed (or refused) it and who decided. Finished records are sealed
    # into the owner's hash chain (permissions.audit) and can no longer change.
    grant = models.ForeignKey(
        "permissions.Grant", on_delete=models.RESTRICT, null=True, blank=True, related_name="runs"
    )
    permission_request = models.ForeignKey(
        "permissions.PermissionRequest",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="runs",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    audit_seq = models.PositiveBigIntegerField(null=True, blank=True)
    audit_digest = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    conversation_id = models.BigIntegerField(null=True, blank=True)
    message_id = models.BigIntegerField(null=True, blank=True)

    objects = CommandRunQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=("owner", "audit_seq"), name="run_audit_seq_unique")
        ]
        indexes = [
            models.Index(fields=("owner", "-created_at")),
            models.Index(fields=("agent", "-created_at")),
            models.Index(
                fields=("agent", "state"),
                name="agent_run_open",
                condition=Q(state__in=("queued", "sent", "acked")),
            ),
            models.Index(
                fields=("deadline",),
                name="agent_run_deadline",
                condition=Q(state__in=("queued", "sent", "acked")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}.{self.action} on {self.agent_id} ({self.state})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only once sealed (the database refuses it too: see the audit trigger).
        if self.audit_digest:
            raise ValueError("A finished command record is part of the audit and cannot change.")
        if self.owner_id is None and self.agent_id is not None:
            self.owner_id = Agent.objects.values_list("owner_id", flat=True).get(pk=self.agent_id)
        super().save(*args, **kwargs)

    @property
    def is_sealed(self) -> bool:
        return bool(self.audit_digest)

    @property
    def wait_key(self) -> str:
        """The key a chat run waits on for this command's result."""
        return f"run:{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.state not in self.OPEN_STATES
