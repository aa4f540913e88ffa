"""Computers (agents), their tokens and pairing codes. The commands sent to them are
``permissions.CommandRun``: the life of a command belongs to permissions."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
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
    # Connectors it is configured with but could not offer then (protocol.Unavailable).
    unavailable = models.JSONField(default=list, blank=True)
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

    @property
    def dom_id(self) -> str:
        """Its card's id in Settings → Apps."""
        return f"agent-{self.pk}"

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
