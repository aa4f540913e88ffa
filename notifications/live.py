"""Pushing notifications to the user's open pages (after commit, from actions).

Every page gets the badge and the toasts; pages showing the notification centre also
joined ``notification_centre_group`` and get its list items. The same templates render
them over HTTP; they are sent through lmo.live.push."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from lmo.live import push
from lmo.live.frames import ServerFrame
from lmo.live.groups import notification_centre_group, user_group
from notifications.models import Notification


class NotificationsResolved(ServerFrame):
    """These notifications were read, acted on or deleted elsewhere: pages drop their
    toasts (static/notifications/notifications.js)."""

    type: Literal["notifications.resolved"] = "notifications.resolved"
    ids: list[int]


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(owner_id=user_id).shown_in_app().unread().count()


def badge_html(count: int) -> str:
    return push.render("notifications/_badge.html", {"unread_count": count, "oob": True})


def toast_html(notification: Notification) -> str:
    """A toast, added to the page's toasts."""
    return push.render("notifications/_toast_oob.html", {"notification": notification})


def item_html(notification: Notification, *, new: bool) -> str:
    """A centre list item: new ones go on top, known ones replace their copy in place."""
    return push.render("notifications/_item_oob.html", {"notification": notification, "new": new})


def push_new_on_commit(notification: Notification, *, toast: bool) -> None:
    """Badge, toast (unless held by quiet hours) and centre entry of a new notification."""
    owner_id = notification.owner_id

    def _page() -> str:
        html = badge_html(unread_count(owner_id))
        return html + toast_html(notification) if toast else html

    push.send_on_commit(user_group(owner_id), _page)
    push.send_on_commit(
        notification_centre_group(owner_id), lambda: item_html(notification, new=True)
    )


def push_changed_on_commit(
    owner_id: int,
    *,
    changed: Iterable[Notification] = (),
    deleted: Iterable[int] = (),
) -> None:
    """Read, acted on or deleted elsewhere: every tab updates its badge, its toasts
    (the page script drops toasts of resolved notifications) and its centre list."""
    changed, deleted = list(changed), list(deleted)
    if changed or deleted:

        def _items() -> str:
            items = [item_html(n, new=False) for n in changed]
            items += [push.oob_delete(Notification(pk=pk).dom_id) for pk in deleted]
            return "".join(items)

        push.send_on_commit(notification_centre_group(owner_id), _items)
    push.send_on_commit(user_group(owner_id), lambda: badge_html(unread_count(owner_id)))
    resolved = [n.pk for n in changed if n.is_read or n.acted_at] + deleted
    if resolved:
        push.send_frame_on_commit(user_group(owner_id), NotificationsResolved(ids=resolved))
