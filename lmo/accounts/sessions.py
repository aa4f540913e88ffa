"""Session lifetime rules: an idle timeout and an absolute lifetime.

Both are checked on every page (middleware) and when a page socket connects."""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from importlib import import_module
from typing import Any

from django.conf import settings

LOGIN_AT_KEY = "lmo_login_at"
SEEN_AT_KEY = "lmo_seen_at"
# Writing the session on every request would be a database write per page; a minute of
# slack on the idle timeout is not worth that.
_TOUCH_EVERY = 60


def session_store(session_key: str | None = None) -> Any:
    """The configured engine's store for ``session_key`` (read as it is now)."""
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def mark_login(session: MutableMapping[str, Any], now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[LOGIN_AT_KEY] = now
    session[SEEN_AT_KEY] = now


def expiry_reason(session: MutableMapping[str, Any], now: float | None = None) -> str | None:
    """Why this session must end now ("idle" or "lifetime"), or None if it may go on."""
    now = time.time() if now is None else now
    login_at = session.get(LOGIN_AT_KEY)
    seen_at = session.get(SEEN_AT_KEY, login_at)
    if login_at is None:
        return None
    if now - float(login_at) > settings.LMO_SESSION_MAX_AGE:
        return "lifetime"
    if seen_at is not None and now - float(seen_at) > settings.LMO_SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


def seconds_left(session: MutableMapping[str, Any], now: float | None = None) -> float | None:
    """How long this session may go on if nothing touches it (None: no limits recorded)."""
    now = time.time() if now is None else now
    login_at = session.get(LOGIN_AT_KEY)
    if login_at is None:
        return None
    seen_at = float(session.get(SEEN_AT_KEY, login_at))
    ends = min(
        float(login_at) + settings.LMO_SESSION_MAX_AGE,
        seen_at + settings.LMO_SESSION_IDLE_TIMEOUT,
    )
    return max(0.0, ends - now)


def touch(session: MutableMapping[str, Any], now: float | None = None) -> None:
    now = time.time() if now is None else now
    if LOGIN_AT_KEY not in session:
        mark_login(session, now)
    elif now - float(session.get(SEEN_AT_KEY, 0)) >= _TOUCH_EVERY:
        session[SEEN_AT_KEY] = now
