"""Page-socket frames of notifications: the centre page asks for its list's updates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from lmo.live.frames import _Frame, register_frame
from lmo.live.groups import notification_centre_group

if TYPE_CHECKING:
    from lmo.live.consumers import LiveConsumer


class WatchCentreFrame(_Frame):
    """Sent by the notification centre: new and changed items come to this socket."""

    type: Literal["notifications.watch"]


async def watch_centre(consumer: LiveConsumer, frame: WatchCentreFrame) -> None:
    # The group is the consumer's own user's: nothing to authorize beyond the socket.
    await consumer.join(notification_centre_group(consumer.user.pk))


def register() -> None:
    register_frame(WatchCentreFrame, watch_centre)
