"""Telling the user's open dashboards that activities changed (they refresh their
charts and list), after the transaction commits."""

from __future__ import annotations

from lmo.live.broadcast import send_frame_on_commit


def push_added_on_commit(*, owner_id: int, count: int) -> None:
    send_frame_on_commit(user_id=owner_id, frame={"type": "activities.changed", "added": count})
