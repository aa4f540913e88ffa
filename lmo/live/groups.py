"""Channel-layer group names of the page socket, all of them here."""

from __future__ import annotations

import hashlib


def user_group(user_id: int) -> str:
    """The channel-layer group every open page of one user joins."""
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """The group of the pages of one browser session (named by a digest: a session key
    is a credential and group names are visible in Redis)."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def conversation_group(conversation_id: int) -> str:
    """The group of the pages showing one conversation (any app may push to it)."""
    return f"chat.conversation.{conversation_id}"


def notification_centre_group(user_id: int) -> str:
    """The group of the user's pages that show the notification centre."""
    return f"notifications.centre.{user_id}"
