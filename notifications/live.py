"""Pushing notifications to the user's open pages (after commit, from actions).

Every page gets the badge and the toasts; pages showing the notification centre also
joined ``centre_group`` and get its list items. The same templates render them over HTTP."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string

from lmo.live.broadcast import send_frame_on_commit
from lmo.live.events import LiveFragment
from lmo.live.groups import user_group
from lmo.live.sender import group_send_sync
from notifications.models import Notification

# Pushed fragments have no request: their forms post through htmx, which sends the
# page's CSRF header (this sentinel renders no hidden field).
_NO_CSRF = {"csrf_token": "NOTPROVIDED"}


def centre_group(user_id: int) -> str:
    """The group of the user's pages that show the notification centre."""
    return f"notifications.centre.{user_id}"


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(owner_id=user_id).shown_in_app().unread().count()


def badge_html(count: int) -> str:
    return render_to_string("notifications/_badge.html", {"unread_count": count, "oob": True})


def toast_html(notification: Notification) -> str:
    inner = render_to_string(
        "notifications/_toast.html", {"notification": notification, **_NO_CSRF}
    )
    return f'<div hx-swap-oob="beforeend:#toasts">{inner}</div>'


def item_html(notification: Notification, *, new: bool) -> str:
    """A centre list item: new ones go on top, known ones replace their copy in place."""
    inner = render_to_string("notifications/_item.html", {"notification": notification, **_NO_CSRF})
    return f'<div hx-swap-oob="afterbegin:#notification-list">{inner}</div>' if new else inner


def _send(group: str, html: str) -> None:
    event: LiveFragment = {"type": "live.fragment", "html": html}
    group_send_sync(group, dict(event))


def push_new_on_commit(notification: Notification, *, toast: bool) -> None:
    """Badge, toast (unless held by quiet hours) and centre entry of a new notification."""

    def _push() -> None:
        owner_id = notification.owner_id
        html = badge_html(unread_count(owner_id))
        if toast:
            html += toast_html(notification)
        _send(user_group(owner_id), html)
        _send(centre_group(owner_id), item_html(notification, new=True))

    transaction.on_commit(_push)


def push_changed_on_commit(
    owner_id: int,
    *,
    changed: Iterable[Notification] = (),
    deleted: Iterable[int] = (),
) -> None:
    """Read, acted on or deleted elsewhere: every tab updates its badge, its toasts
    (the page script drops toasts of resolved notifications) and its centre list."""
    changed, deleted = list(changed), list(deleted)

    def _push() -> None:
        items = "".join(item_html(n, new=False) for n in changed)
        items += "".join(f'<li id="notification-{pk}" hx-swap-oob="delete"></li>' for pk in deleted)
        if items:
            _send(centre_group(owner_id), items)
        _send(user_group(owner_id), badge_html(unread_count(owner_id)))

    transaction.on_commit(_push)
    resolved = [n.pk for n in changed if n.is_read or n.acted_at] + deleted
    if resolved:
        frame: dict[str, Any] = {"type": "notifications.resolved", "ids": resolved}
        send_frame_on_commit(user_id=owner_id, frame=frame)
