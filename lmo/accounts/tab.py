"""Settings -> Security: second factor, password and e-mail, active sessions."""

from __future__ import annotations

from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from lmo.accounts.models import BackupCodeDevice


def security_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    backup = BackupCodeDevice.objects.filter(user=user).first()
    sessions = sorted(
        UserSession.objects.purge_and_list(user), key=lambda s: s.created_at, reverse=True
    )
    return {
        "totp_devices": TOTPDevice.objects.filter(user=user, confirmed=True),
        "backup_remaining": backup.remaining() if backup else None,
        "mfa_required": settings.LMO_REQUIRE_MFA,
        "user_sessions": sessions,
    }
