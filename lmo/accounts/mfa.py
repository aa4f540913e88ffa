"""Second-factor state of a user or session: the read side, shared by pages and sockets."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice


class Gate(Enum):
    """What an authenticated session still has to do before using the app."""

    OPEN = "open"
    VERIFY = "verify"  # has an authenticator, has not entered a code in this session
    ENROL = "enrol"  # MFA is required and no authenticator is set up yet


def user_has_mfa(user: Any) -> bool:
    """True when the user has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_device(user: Any, session: Mapping[str, Any]) -> Device | None:
    """The confirmed device this session was verified with, if it still exists and is theirs.

    Used where django-otp's middleware does not run (WebSocket consumers)."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return None
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


def gate_for(user: Any, *, verified: bool) -> Gate:
    if verified:
        return Gate.OPEN
    if user_has_mfa(user):
        return Gate.VERIFY
    if settings.LMO_REQUIRE_MFA:
        return Gate.ENROL
    return Gate.OPEN


def request_is_verified(request: Any) -> bool:
    """Whether this request's session passed the second factor.

    django-otp's middleware adds ``user.is_verified``; right after a login Django swaps in
    a plain user object, so fall back to reading the session the same way."""
    user = request.user
    check = getattr(user, "is_verified", None)
    if check is not None:
        return bool(check())
    return user.is_authenticated and session_device(user, request.session) is not None


def request_gate(request: Any) -> Gate:
    """``gate_for`` this request's user, worked out once per request and user.

    The gate middleware and the shell's context processor both need it; the user can
    change mid-request (login swaps it), so the memo is keyed by user id."""
    memo = getattr(request, "_lmo_gate", None)
    if memo is not None and memo[0] == request.user.pk:
        return memo[1]
    gate = gate_for(request.user, verified=request_is_verified(request))
    request._lmo_gate = (request.user.pk, gate)
    return gate


VERIFIED_AT_KEY = "lmo_verified_at"  # when this session last entered a code (epoch seconds)


def recently_verified(session: Mapping[str, Any], *, minutes: int, now: float) -> bool:
    """Did this session enter a second-factor code within the last ``minutes``?"""
    verified_at = session.get(VERIFIED_AT_KEY)
    return isinstance(verified_at, int | float) and 0 <= now - verified_at < minutes * 60
