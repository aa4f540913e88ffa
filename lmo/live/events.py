"""Channel-layer events the page socket handles (handler name = type with '.' -> '_')."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict


class LiveFragment(TypedDict):
    """Server-rendered HTML swapped into the page out-of-band by htmx's ws extension."""

    type: Literal["live.fragment"]
    html: str
    # The socket that caused the event and must not get it (typing shown to other tabs).
    skip_channel: NotRequired[str]


class LivePong(TypedDict):
    """A ping answered through the channel layer (proves the group round trip)."""

    type: Literal["live.pong"]
    id: str
    reply_channel: str


class LiveFrame(TypedDict):
    """A JSON control frame for the page script (``lmo:frame`` event), not HTML."""

    type: Literal["live.frame"]
    frame: dict[str, Any]


class LiveEnd(TypedDict):
    """Close the socket now with ``code`` (its session ended: lmo.live.session_end)."""

    type: Literal["live.end"]
    code: int


class LiveRecheck(TypedDict):
    """Look at the session again (the account changed: password, active, devices)."""

    type: Literal["live.recheck"]
