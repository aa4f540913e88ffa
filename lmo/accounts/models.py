from __future__ import annotations

import hashlib
import hmac
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

BACKUP_CODE_COUNT = 10
# 12 characters from a 32-letter alphabet: 60 random bits per code, so a fast salted
# hash is enough (the way API tokens are stored) and checking a code stays instant.
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_BACKUP_LENGTH = 12


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone.")


class User(AbstractUser):
    """A person using LMO. Signs in with their e-mail address."""

    email = models.EmailField("e-mail address", unique=True)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA name, e.g. Europe/Paris: dates the assistant and e-mails use.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.email or self.username

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


def normalize_backup_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def format_backup_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's set of single-use backup codes, stored only as salted hashes."""

    salt = models.CharField(max_length=32, default="", editable=False)

    class Meta(Device.Meta):
        verbose_name = "backup code set"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "LMO_BACKUP_THROTTLE_FACTOR", 1))

    def digest(self, code: str) -> str:
        return hashlib.sha256(f"{self.salt}:{normalize_backup_code(code)}".encode()).hexdigest()

    def replace_codes(self) -> list[str]:
        """Throw away every existing code, store fresh ones, return them (shown once)."""
        raw = [
            "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(_BACKUP_LENGTH))
            for _ in range(BACKUP_CODE_COUNT)
        ]
        with transaction.atomic():
            self.salt = secrets.token_hex(16)
            self.save(update_fields=["salt"])
            self.codes.all().delete()
            BackupCode.objects.bulk_create(
                BackupCode(device=self, digest=self.digest(c)) for c in raw
            )
        return [format_backup_code(c) for c in raw]

    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()

    def verify_token(self, token: str) -> bool:
        """Consume ``token`` if it is an unused code; counts failures for throttling."""
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        digest = self.digest(token)
        candidates = list(self.codes.filter(used_at__isnull=True).values_list("pk", "digest"))
        match = next((pk for pk, d in candidates if hmac.compare_digest(d, digest)), None)
        # The conditional UPDATE makes a code single-use even under concurrent attempts.
        used = match is not None and bool(
            BackupCode.objects.filter(pk=match, used_at__isnull=True).update(used_at=timezone.now())
        )
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment(commit=True)
        return used


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"backup code #{self.pk} ({'used' if self.used_at else 'unused'})"
