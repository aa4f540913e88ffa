"""Telling the user's open dashboards that activities changed (they refresh their
charts and list), after the transaction commits."""

from __future__ import annotations

from typing import Literal

from lmo.live import push
from lmo.live.frames import ServerFrame
from lmo.live.groups import user_group


class ActivitiesChanged(ServerFrame):
    """``added`` activities were stored (static/activities/dashboard.js refreshes)."""

    type: Literal["activities.changed"] = "activities.changed"
    added: int


def push_added_on_commit(*, owner_id: int, count: int) -> None:
    push.send_frame_on_commit(user_group(owner_id), ActivitiesChanged(added=count))
