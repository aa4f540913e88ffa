"""Organisations (tenants): who belongs to which, with which role, and the
organisation's own settings. A member's data (conversations, activities, commands,
notifications) stays theirs: nothing here links to it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lmo import crypto

INVITATION_DAYS = 7


class Organisation(models.Model):
    name = models.CharField(max_length=120)
    # The one created with the account: a one-person install needs nothing else.
    personal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The assistant's model endpoint for this organisation; empty: the server's default
    # (LMO_LLM_*). The key is Fernet-encrypted (lmo.crypto) and never shown again.
    llm_base_url = models.URLField("LLM endpoint", max_length=500, blank=True)
    llm_model = models.CharField("LLM model", max_length=200, blank=True)
    llm_api_key_encrypted = models.TextField(blank=True, editable=False)
    # Tokens (prompt + completion) its members may use per calendar month (UTC); empty:
    # no limit. lmo.usage.quotas enforces it.
    monthly_token_quota = models.PositiveBigIntegerField(null=True, blank=True)
    # API requests per minute: for the whole organisation, and for each of its keys;
    # empty: LMO_API_ORG_REQUESTS_PER_MINUTE / LMO_API_KEY_REQUESTS_PER_MINUTE.
    requests_per_minute = models.PositiveIntegerField(null=True, blank=True)
    key_requests_per_minute = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def has_llm_api_key(self) -> bool:
        return bool(self.llm_api_key_encrypted)

    def llm_api_key(self) -> str:
        """The decrypted key ('' when none); raises lmo.crypto.SecretUnreadable."""
        return crypto.decrypt(self.llm_api_key_encrypted) if self.llm_api_key_encrypted else ""

    @property
    def overrides_llm(self) -> bool:
        return bool(self.llm_base_url or self.llm_api_key_encrypted)


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


MANAGERS = (Role.OWNER, Role.ADMIN)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def managers(self) -> MembershipQuerySet:
        return self.filter(role__in=MANAGERS)


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    # The organisation the user's own pages (the chat) work in: exactly one per user.
    is_current = models.BooleanField(default=False)
    # This member's own monthly token limit inside the organisation's; empty: none.
    monthly_token_quota = models.PositiveBigIntegerField(null=True, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="organisations_one_membership"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_current=True), name="organisations_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGERS


def invitation_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """A single-use, expiring link for one e-mail address. Only its digest is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation of {self.email} to {self.organisation}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def default_expiry() -> datetime:
        return timezone.now() + timedelta(days=INVITATION_DAYS)

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
