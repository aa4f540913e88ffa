"""Who may open the page socket. OTP middleware does not run on sockets, so the session
is checked here, with the same rules as pages (lmo.accounts.mfa, lmo.accounts.sessions)."""

from __future__ import annotations

from typing import Any

from lmo.accounts.mfa import Gate, gate_for, session_device
from lmo.accounts.sessions import expiry_reason

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_SECOND_FACTOR = 4403
CLOSE_SESSION_EXPIRED = 4408


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
