"""The life of a machine command: grants (what the user allowed or blocked), permission
requests (what the assistant asked for), command runs (what was sent to a computer and what
came back; each finished run is an audit record) and the head of each user's audit chain
(runs are sealed into it when they finish)."""

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
        WINDOW = "window", "Allow for a while"  # shown with its minutes: choice_label()
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
    # Whose use it is (lmo.usage): the organisation the caller acted in, and its API key's
    # prefix ("" for LMO's own pages).
    # (An id, not a key: a sealed record never changes when an organisation goes.)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    key_prefix = models.CharField(max_length=16, blank=True)
    # Who asked, in words ("" for LMO's own chat; an API key or an MCP client otherwise).
    client = models.CharField(max_length=120, blank=True)

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

    @staticmethod
    def label_of(choice: str) -> str:
        """A choice as the user reads it; "Allow for N minutes" follows
        ``LMO_PERMISSION_WINDOW_MINUTES``."""
        if choice == PermissionRequest.Choice.WINDOW:
            return f"Allow for {settings.LMO_PERMISSION_WINDOW_MINUTES} minutes"
        return str(PermissionRequest.Choice(choice).label) if choice else ""

    @property
    def choice_label(self) -> str:
        return self.label_of(self.choice)

    @property
    def window_label(self) -> str:
        return self.label_of(self.Choice.WINDOW)

    @property
    def wait_key(self) -> str:
        """The key a chat run waits on for this request's decision."""
        return f"perm:{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def dom_id(self) -> str:
        """Its card's id, in the chat and in Settings."""
        return f"perm-{self.pk}"

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


class CommandRunQuerySet(models.QuerySet["CommandRun"]):
    def owned_by(self, user: Any) -> CommandRunQuerySet:
        return self.filter(owner=user)

    def unfinished(self) -> CommandRunQuerySet:
        return self.filter(state__in=CommandRun.OPEN_STATES)


class CommandRun(models.Model):
    """One command for one computer. Written before anything is sent: the channel layer only
    nudges the computer's connection, which reads what to send from here."""

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
    agent = models.ForeignKey("agent_bridge.Agent", on_delete=models.CASCADE, related_name="runs")
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
    # Who asked, and the caller's idempotency key (a chat tool call: a re-run node finds its
    # run) with where to resume it (conversation and message, for the chat).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    # The audit: what allowed (or refused) it and who decided. Finished records are sealed
    # into the owner's hash chain (permissions.audit) and can no longer change.
    grant = models.ForeignKey(
        Grant, on_delete=models.RESTRICT, null=True, blank=True, related_name="runs"
    )
    permission_request = models.ForeignKey(
        PermissionRequest, on_delete=models.RESTRICT, null=True, blank=True, related_name="runs"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    audit_seq = models.PositiveBigIntegerField(null=True, blank=True)
    audit_digest = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    conversation_id = models.BigIntegerField(null=True, blank=True)
    message_id = models.BigIntegerField(null=True, blank=True)
    # Whose use it is (lmo.usage): the organisation the caller acted in, and its API key's
    # prefix ("" for LMO's own pages).
    # (An id, not a key: a sealed record never changes when an organisation goes.)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    key_prefix = models.CharField(max_length=16, blank=True)
    # Who asked, in words ("" for LMO's own chat; an API key or an MCP client otherwise).
    client = models.CharField(max_length=120, blank=True)

    objects = CommandRunQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=("owner", "audit_seq"), name="run_audit_seq_unique")
        ]
        indexes = [
            models.Index(fields=("owner", "-created_at"), name="run_owner_created"),
            models.Index(fields=("agent", "-created_at"), name="run_agent_created"),
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
            self.owner_id = self.agent.owner_id
        super().save(*args, **kwargs)

    @property
    def is_sealed(self) -> bool:
        return bool(self.audit_digest)

    @property
    def wait_key(self) -> str:
        """The key a caller waits on for this command's result (permissions.waiting)."""
        return f"run:{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.state not in self.OPEN_STATES


def _run_file_path(instance: RunFile, filename: str) -> str:
    return f"results/{instance.run_id}/{instance.pk}"


class RunFile(models.Model):
    """A file a command's result carried (an image or audio from an MCP tool, a resource,
    a binary file read, a result too large for its row): kept in storage, named in the
    sealed result by id, size and sha256, downloaded only by the run's owner."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(CommandRun, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=_run_file_path, max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.size} bytes)"
