"""Fragments pushed to the pages showing a conversation (and to the user's other pages).

The same templates render a message over HTTP and over the socket
(``templates/chat/_message.html``...); here they are wrapped for htmx's out-of-band swap."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.html import escape

from chat.models import Conversation, Message
from lmo.live.broadcast import send_fragment_on_commit
from lmo.live.events import LiveFragment
from lmo.live.sender import group_send_sync


def send_now(group: str, html: str, *, skip_channel: str | None = None) -> None:
    """Send at once (streaming, outside any transaction)."""
    event: LiveFragment = {"type": "live.fragment", "html": html}
    if skip_channel:
        event["skip_channel"] = skip_channel
    group_send_sync(group, dict(event))


def send_on_commit(group: str, html: str) -> None:
    transaction.on_commit(lambda: send_now(group, html))


def message_html(message: Message, *, oob: bool = True) -> str:
    """A message as its list item; out-of-band it appends to the right list (or, when
    the page already has it, the page script replaces it in place)."""
    if message.parent_id is None:
        target = f"#messages-{message.conversation_id}"
        if not hasattr(message, "n_replies"):
            message.n_replies = message.replies.count()  # type: ignore[attr-defined]
    else:
        target = f"#thread-{message.parent_id}-replies"
    return render_to_string(
        "chat/_message_oob.html" if oob else "chat/_message.html",
        {
            "message": message,
            "target": target,
            "in_thread": message.parent_id is not None,
            # Pushed fragments have no request: their forms post through htmx, which
            # sends the page's CSRF header (this sentinel renders no hidden field).
            "csrf_token": "NOTPROVIDED",
        },
    )


def conversation_item_html(conversation: Conversation) -> str:
    return render_to_string(
        "chat/_conversation_item.html", {"conversation": conversation, "oob": True}
    )


def status_html(message: Message) -> str:
    return render_to_string("chat/_status.html", {"message": message, "oob": True})


def phase_html(message: Message, phase: str, detail: dict[str, Any]) -> str:
    labels = {"thinking": "Thinking…", "writing": "Writing…", "waiting": "Waiting…"}
    label = labels.get(phase, "Working…")
    if phase == "tool":
        label = f"Running a tool: {detail.get('label') or detail.get('tool') or 'tool'}…"
    return (
        f'<span id="msg-{message.pk}-phase" class="phase" data-phase="{escape(phase)}" '
        f'hx-swap-oob="true">{escape(label)}</span>'
    )


def token_html(message: Message, text: str) -> str:
    return f'<span id="msg-{message.pk}-stream" hx-swap-oob="beforeend">{escape(text)}</span>'


def reply_count_html(parent: Message) -> str:
    return render_to_string("chat/_reply_count.html", {"message": parent, "oob": True})


def typing_html(conversation: Conversation, who: str) -> str:
    return render_to_string(
        "chat/_typing.html", {"conversation": conversation, "who": who, "oob": True}
    )


def push_message(message: Message) -> None:
    """After commit: the message to the conversation's pages, the sidebar to all pages."""
    conversation = message.conversation
    html = message_html(message)
    if message.parent_id is not None:
        parent = Message.objects.with_reply_counts().get(pk=message.parent_id)
        html += reply_count_html(parent)
    send_on_commit(conversation.group, html)
    send_fragment_on_commit(
        user_id=conversation.owner_id, html=conversation_item_html(conversation)
    )


def push_status(message: Message) -> None:
    send_on_commit(message.conversation.group, status_html(message))
