"""Who may open the page socket, and whether it may go on. OTP middleware does not run on
sockets, so the session is checked here, with the same rules as pages
(lmo.accounts.mfa, lmo.accounts.sessions): when the socket connects, before it acts on
any frame, when an account-wide event asks (lmo.live.session_end), and when the session
would expire.

Close codes (docs/security.md):

- 4401: not signed in (signed out, account deactivated or deleted);
- 4403: the session has not passed the second factor (or its device was removed);
- 4408: the session expired (idle timeout, absolute lifetime);
- 4409: the session was replaced or ended elsewhere: the page reconnects with the cookie it
  has now, and that connection is accepted or refused with one of the codes above (a
  password changed in this browser gives it a new session; elsewhere, the old one ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils.crypto import constant_time_compare

from lmo.accounts.mfa import Gate, gate_for, session_device
from lmo.accounts.sessions import expiry_reason, seconds_left, session_store, touch

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_SECOND_FACTOR = 4403
CLOSE_SESSION_EXPIRED = 4408
CLOSE_SESSION_CHANGED = 4409
# A session with no recorded limits is looked at again after this long anyway.
LONGEST_UNCHECKED = 300.0


def refusal_code(user: Any, session: Any) -> int | None:
    """The close code to refuse this connection with, or None to accept it."""
    if user is None or not user.is_authenticated or session is None:
        return CLOSE_NOT_SIGNED_IN
    if expiry_reason(session) is not None:
        return CLOSE_SESSION_EXPIRED
    verified = session_device(user, session) is not None
    if gate_for(user, verified=verified) is not Gate.OPEN:
        return CLOSE_SECOND_FACTOR
    return None


@dataclass(frozen=True)
class SessionCheck:
    code: int | None  # the close code, or None: the socket may go on
    recheck_in: float = 0.0  # seconds until the session could expire untouched


def check_session(user_id: int, session_key: str, *, activity: bool = False) -> SessionCheck:
    """The session as it is now in the store (not the copy the socket connected with).
    ``activity``: the page did something, which counts against the idle timeout."""
    store = session_store(session_key)
    if str(store.get(SESSION_KEY)) != str(user_id):
        return SessionCheck(CLOSE_SESSION_CHANGED)  # deleted, or flushed by a sign-out
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.is_active:
        return SessionCheck(CLOSE_NOT_SIGNED_IN)
    stored = store.get(HASH_SESSION_KEY) or ""
    if not constant_time_compare(stored, user.get_session_auth_hash()):
        return SessionCheck(CLOSE_SESSION_CHANGED)  # the password changed
    code = refusal_code(user, store)
    if code is not None:
        return SessionCheck(code)
    if activity:
        touch(store)
        if store.modified:
            store.save()
    left = seconds_left(store)
    return SessionCheck(None, LONGEST_UNCHECKED if left is None else min(left, LONGEST_UNCHECKED))
