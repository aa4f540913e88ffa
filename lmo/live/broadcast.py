"""Pushing to a user's open pages. Call from actions; sends happen after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lmo.live.events import LiveFragment, LiveFrame
from lmo.live.groups import user_group
from lmo.live.sender import group_send_sync


def send_fragment_on_commit(*, user_id: int, html: str) -> None:
    """Swap ``html`` (elements with ids / hx-swap-oob) into every open page of the user."""
    event: LiveFragment = {"type": "live.fragment", "html": html}

    transaction.on_commit(lambda: group_send_sync(user_group(user_id), dict(event)))


def send_frame_on_commit(*, user_id: int, frame: dict[str, Any]) -> None:
    """Send a JSON control frame to every open page of the user (the page script reads
    it from the ``lmo:frame`` event)."""
    event: LiveFrame = {"type": "live.frame", "frame": frame}
    transaction.on_commit(lambda: group_send_sync(user_group(user_id), dict(event)))
