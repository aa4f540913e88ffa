"""Pushing to a user's open pages. Call from actions; sends happen after commit."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from lmo.live.events import LiveFragment
from lmo.live.groups import user_group


def send_fragment_on_commit(*, user_id: int, html: str) -> None:
    """Swap ``html`` (elements with ids / hx-swap-oob) into every open page of the user."""
    event: LiveFragment = {"type": "live.fragment", "html": html}

    def _send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group(user_id), event)

    transaction.on_commit(_send)
