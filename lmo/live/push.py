"""The one way to push live to open pages.

A push goes to a channel-layer group from ``lmo.live.groups``: a user's (every open
page of theirs) or a conversation's (the pages showing it). It is one of:

- **HTML**: a named partial rendered by ``render`` (``templates/<app>/_<fragment>.html``,
  the same template the page renders over HTTP), swapped out of band by htmx's ws
  extension;
- **a typed JSON frame**: a ``ServerFrame`` pydantic model of the app
  (``notifications.live.NotificationsResolved``...), which the page script gets as an
  ``lmo:frame`` event.

Actions send ``*_on_commit``: nothing shows for a transaction that rolls back, and an
HTML callable renders after the commit, so it shows the committed state. Streaming
outside any transaction (tokens, typing) uses ``send_now``.

CSRF: a fragment rendered for the socket has no request, so no per-request token.
``render`` marks its context ``FOR_SOCKET``, and the partials' forms write
``{% load live %}{% csrf_field %}`` (lmo/templatetags/live.py), which then renders no
field: those forms post through htmx, which sends the page's token (``hx-headers`` on
``<body>`` in base.html). Over HTTP the same tag renders the usual hidden field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string

from lmo.live.events import LiveFragment, LiveFrame
from lmo.live.frames import ServerFrame
from lmo.live.sender import group_send_sync

# The context flag of a partial rendered for the socket (read by {% csrf_field %}).
FOR_SOCKET = "lmo_for_socket"


def render(template_name: str, context: Mapping[str, Any] | None = None) -> str:
    """``template_name`` rendered for the socket (no request, so no CSRF field)."""
    return render_to_string(template_name, {**(context or {}), FOR_SOCKET: True})


def oob_delete(dom_id: str) -> str:
    """A fragment that removes the element ``dom_id`` from the page."""
    return render("live/_delete.html", {"dom_id": dom_id})


def send_now(group: str, html: str, *, skip_channel: str | None = None) -> None:
    """Send ``html`` to ``group`` at once (streaming, outside any transaction).
    ``skip_channel``: the socket that caused it and must not get it."""
    event: LiveFragment = {"type": "live.fragment", "html": html}
    if skip_channel:
        event["skip_channel"] = skip_channel
    group_send_sync(group, dict(event))


def send_on_commit(group: str, html: str | Callable[[], str]) -> None:
    """Send ``html`` to ``group`` once the transaction commits; a callable is rendered
    then (for what must show the committed state, an unread count...)."""
    transaction.on_commit(lambda: send_now(group, html() if callable(html) else html))


def send_frame_now(group: str, frame: ServerFrame) -> None:
    event: LiveFrame = {"type": "live.frame", "frame": frame.model_dump(mode="json")}
    group_send_sync(group, dict(event))


def send_frame_on_commit(group: str, frame: ServerFrame) -> None:
    """Send ``frame`` to ``group`` once the transaction commits."""
    transaction.on_commit(lambda: send_frame_now(group, frame))
