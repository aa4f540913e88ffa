"""API keys and the request log.

A key is ``lmo_<prefix>_<secret>``: the prefix (shown in lists and logs) finds nothing
on its own; only the SHA-256 digest of the whole key is stored. The secret has 256
random bits, so a fast unsalted digest is enough (as for GitHub's or Stripe's keys) and
checking a key stays one indexed lookup."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from lmo.organisations.models import Organisation


class Scope(models.TextChoices):
    CHAT = "chat", "Chat with the assistant"
    ACTIVITIES_READ = "activities:read", "Read activities"
    ACTIVITIES_WRITE = "activities:write", "Add activities"
    COMPUTERS_RUN = "computers:run", "Run commands on your computers (each through your permission)"
    MCP = "mcp", "Use LMO as an MCP server: your computers and activities from other AI apps"
    EXPORT = "export", "Export all your data (one archive of everything)"


def key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def usable(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiKey(models.Model):
    """Acts as its user inside its organisation, within its scopes: never more than the
    user may do (a user who leaves the organisation takes the key's power with them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_address = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "active"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class RequestLog(models.Model):
    """One API or MCP request: never bodies, never secrets."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    key_prefix = models.CharField(max_length=16, blank=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    latency_ms = models.FloatField()
    tokens = models.PositiveIntegerField(default=0)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["api_key", "-at"], name="api_log_key_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}"


class IdempotentRequest(models.Model):
    """A ``POST`` sent with an ``Idempotency-Key``: claimed while it runs, then its
    successful answer, replayed to a retry (kept ``IDEMPOTENCY_HOURS``)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=60)
    fingerprint = models.CharField(max_length=64)  # method, path and body
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # null: still running
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="api_idempotency_once")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.status or 'running'}"
