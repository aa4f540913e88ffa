"""Grants (what the user allowed or blocked), permission requests (what the assistant
asked for) and the head of each user's audit chain (the audit records themselves are
``agent_bridge.CommandRun`` rows, sealed into the chain when they finish)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

ANY_ACTION = "*"


class Origin(models.TextChoices):
    CHAT = "chat", "Chat"
    NOTIFICATION = "notification", "Notification"
    SETTINGS = "settings", "Settings"


class GrantQuerySet(models.QuerySet["Grant"]):
    def owned_by(self, user: Any) -> GrantQuerySet:
        return self.filter(owner=user)

    def live(self, now: Any = None) -> GrantQuerySet:
        """Grants that can still match: not revoked, not expired, not used up."""
        now = now or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            revoked_at__isnull=True,
            consumed_at__isnull=True,
        )


class Grant(models.Model):
    """ "The assistant may (or may not) run ``target.action`` [within ``scope``] on
    [``agent``] [until ``expires_at``]". Revoked, expired or used-up grants never match."""

    class Effect(models.TextChoices):
        ALLOW = "allow", "Allow"
        DENY = "deny", "Block"

    class Kind(models.TextChoices):
        ONCE = "once", "Once"
        UNTIL = "until", "Until"
        ALWAYS = "always", "Always"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    # None: any of the owner's computers.
    agent = models.ForeignKey(
        "agent_bridge.Agent", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target = models.CharField(max_length=64)  # a connector: filesystem, shell, mcp:time...
    action = models.CharField(max_length=64)  # an action of it, or "*" for any
    # Path prefix (files), command prefix (shell), URL prefix (browser), app name; empty:
    # any arguments. MCP tools are scoped by their exact action.
    scope = models.CharField(max_length=1000, blank=True)
    effect = models.CharField(max_length=5, choices=Effect.choices, default=Effect.ALLOW)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    origin = models.CharField(max_length=12, choices=Origin.choices)
    created_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    consumed_at = models.DateTimeField(null=True, blank=True)  # once-grants, by their command

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(
                fields=("owner", "target", "action"),
                name="grant_live_lookup",
                condition=Q(revoked_at__isnull=True, consumed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        scope = f" {self.scope}" if self.scope else ""
        return f"{self.get_effect_display()} {self.target}.{self.action}{scope} ({self.kind})"


class RequestQuerySet(models.QuerySet["PermissionRequest"]):
    def owned_by(self, user: Any) -> RequestQuerySet:
        return self.filter(owner=user)

    def pending(self) -> RequestQuerySet:
        return self.filter(status=PermissionRequest.Status.PENDING)


class PermissionRequest(models.Model):
    """The assistant asks to run one exact command; a chat run waits for the answer."""

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        DENIED = "denied"
        EXPIRED = "expired"

    class Choice(models.TextChoices):
        ONCE = "once", "Allow once"
        WINDOW = "window", "Allow for 15 minutes"
        ALWAYS = "always", "Always allow"
        DENY = "deny", "Deny"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="permission_requests"
    )
    agent = models.ForeignKey("agent_bridge.Agent", on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=64)
    action = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=4000, blank=True)  # the argument a scope limits
    writes = models.BooleanField(default=False)  # the action changes things
    timeout = models.FloatField(null=True, blank=True)  # the command's, once allowed
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    choice = models.CharField(max_length=6, choices=Choice.choices, blank=True)
    decided_from = models.CharField(max_length=12, choices=Origin.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)  # why it ended, when not a choice
    grant = models.ForeignKey(
        Grant, on_delete=models.CASCADE, null=True, blank=True, related_name="requests"
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    conversation_id = models.BigIntegerField(null=True, blank=True)
    message_id = models.BigIntegerField(null=True, blank=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("owner", "status")),
            models.Index(
                fields=("expires_at",),
                name="permreq_pending_expiry",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}.{self.action} ({self.status})"

    @property
    def wait_key(self) -> str:
        """The key a chat run waits on for this request's decision."""
        return f"perm:{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def dedupe_key(self) -> str:
        """Its notification's dedupe key."""
        return f"permission:{self.pk}"


class AuditHead(models.Model):
    """The last sealed record of one user's audit chain."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    seq = models.PositiveBigIntegerField(default=0)
    digest = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit chain of {self.owner_id}: {self.seq} records"
