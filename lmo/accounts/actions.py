"""Writes to a user's second factor. Views call these; nothing else changes devices."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from allauth.usersessions.models import UserSession
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from lmo.accounts.mfa import VERIFIED_AT_KEY
from lmo.accounts.models import BackupCodeDevice, normalize_backup_code
from lmo.accounts.notices import notify_sign_in

_TOTP_NAME = "Authenticator app"


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    locked_until: datetime | None = None

    @property
    def wait_seconds(self) -> int:
        if self.locked_until is None:
            return 0
        return max(1, int((self.locked_until - timezone.now()).total_seconds() + 0.999))


def start_totp_enrolment(*, user: Any) -> TOTPDevice:
    """The pending (unconfirmed) authenticator for ``user``, created on first call.

    Re-opening the setup page keeps the same key so a scanned QR code stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_TOTP_NAME, confirmed=False)
    return device


def confirm_totp_enrolment(*, request: HttpRequest, code: str) -> tuple[CodeCheck, list[str]]:
    """Confirm the pending authenticator with its first code.

    On success: the pending device replaces any previous authenticator, a fresh set of
    backup codes is made (returned, to be shown once), and this session is verified with
    the new device and gets a new session key."""
    user = request.user
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            return CodeCheck(ok=False), []
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return CodeCheck(ok=False, locked_until=(info or {}).get("locked_until")), []
        if not device.verify_token(_digits(code)):
            return CodeCheck(ok=False), []
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_backup_codes(user)
    _mark_verified(request, device)
    return CodeCheck(ok=True), codes


def verify_second_factor(*, request: HttpRequest, code: str) -> CodeCheck:
    """Check an authenticator code or a backup code for the signed-in user.

    A TOTP code is accepted once (django-otp remembers the last time step used) and a
    backup code is consumed. Wrong codes make the device wait 1, 2, 4 ... seconds before
    the next attempt (django-otp throttling); the returned check says until when."""
    check, device = _check_code(request.user, code)
    if device is None:
        return check
    _mark_verified(request, device)
    notify_sign_in(
        request=request,
        backup_code_left=device.remaining() if isinstance(device, BackupCodeDevice) else None,
    )
    return check


def confirm_identity(*, request: HttpRequest, code: str) -> CodeCheck:
    """Step-up: a fresh code from an already verified session (before a sensitive
    change). Same checks and throttling as at sign-in; the session is kept."""
    check, device = _check_code(request.user, code)
    if device is not None:
        request.session[VERIFIED_AT_KEY] = time.time()
    return check


def _check_code(user: Any, code: str) -> tuple[CodeCheck, Any]:
    is_backup = len(normalize_backup_code(code)) > 8
    model: type[TOTPDevice] | type[BackupCodeDevice] = BackupCodeDevice if is_backup else TOTPDevice
    locked_until: datetime | None = None
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            allowed, info = device.verify_is_allowed()
            if not allowed:
                until = (info or {}).get("locked_until")
                if until is not None and (locked_until is None or until > locked_until):
                    locked_until = until
                continue
            token = code if is_backup else _digits(code)
            if device.verify_token(token):
                return CodeCheck(ok=True), device
    return CodeCheck(ok=False, locked_until=locked_until), None


def regenerate_backup_codes(*, user: Any) -> list[str]:
    with transaction.atomic():
        return _replace_backup_codes(user)


def remove_second_factor(*, user: Any) -> None:
    """Delete the authenticator and backup codes (callers check LMO_REQUIRE_MFA first)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        BackupCodeDevice.objects.filter(user=user).delete()


def _replace_backup_codes(user: Any) -> list[str]:
    device, _ = BackupCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "Backup codes", "confirmed": True}
    )
    return device.replace_codes()


def _mark_verified(request: HttpRequest, device: Any) -> None:
    # A new key on privilege change, like Django's login(): an old session id that leaked
    # before the second factor is worth nothing after it.
    request.session.cycle_key()
    otp_login(request, device)
    request.session[VERIFIED_AT_KEY] = time.time()
    # The session list (Settings -> Security, sign-in notices) knows it by its new key now.
    UserSession.objects.create_from_request(request)


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())
