"""OAuth for MCP clients. A registered client (RFC 7591), the user's consent to it (an
``McpConnection``: an API key of its own, with the ``mcp`` scope, so rate limits, the
request log, usage and revocation are the API's), the pending consent, and the codes and
tokens issued: codes and tokens are stored as SHA-256 digests only, bound to this
server's resource."""

from __future__ import annotations

import hashlib
import uuid

from django.db import models
from django.utils import timezone

from lmo.api.models import ApiKey


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class OAuthClient(models.Model):
    client_id = models.CharField(max_length=64, unique=True)
    # Encrypted (lmo.crypto): the SDK compares it with what the client sends.
    secret = models.TextField(blank=True)
    name = models.CharField(max_length=200)
    # The registered metadata (redirect URIs, grant types, auth method...), without the secret.
    info = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "OAuth client"

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class AuthorizationRequest(models.Model):
    """A client's request waiting for the user's consent (single-use, short-lived)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.CharField(max_length=2000)
    redirect_uri_provided_explicitly = models.BooleanField(default=True)
    state = models.CharField(max_length=500, blank=True)
    code_challenge = models.CharField(max_length=128)
    scopes = models.JSONField(default=list)
    resource = models.CharField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"consent for {self.client_id} ({self.pk})"


class McpConnection(models.Model):
    """A client the user connected: it acts through its own key (revoking the key ends
    every token of the connection)."""

    key = models.OneToOneField(ApiKey, on_delete=models.CASCADE, related_name="mcp_connection")
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="connections")
    redirect_uri = models.CharField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.client.name} for {self.key.user_id}"


class AuthorizationCode(models.Model):
    digest = models.CharField(max_length=64, unique=True)
    connection = models.ForeignKey(McpConnection, on_delete=models.CASCADE, related_name="+")
    code_challenge = models.CharField(max_length=128)
    redirect_uri = models.CharField(max_length=2000)
    redirect_uri_provided_explicitly = models.BooleanField(default=True)
    scopes = models.JSONField(default=list)
    resource = models.CharField(max_length=2000)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for connection {self.connection_id}"


class OAuthToken(models.Model):
    class Kind(models.TextChoices):
        ACCESS = "access", "Access token"
        REFRESH = "refresh", "Refresh token"

    digest = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    connection = models.ForeignKey(McpConnection, on_delete=models.CASCADE, related_name="tokens")
    scopes = models.JSONField(default=list)
    resource = models.CharField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=("connection", "kind"))]

    def __str__(self) -> str:
        return f"{self.kind} token of connection {self.connection_id}"
