"""Fragments pushed to the pages showing a conversation (and to the user's other pages).

The same templates render a message over HTTP and over the socket
(``templates/chat/_message.html``...); they are sent through lmo.live.push."""

from __future__ import annotations

from typing import Any

from chat.models import Conversation, Message
from lmo.live import push
from lmo.live.groups import user_group


def message_context(message: Message) -> dict[str, Any]:
    """What ``chat/_message_oob.html`` needs: the message, and the list it goes to (its
    thread's replies, or the conversation's messages)."""
    if message.parent_id is None:
        target = f"#{message.conversation.dom_id}-messages"
        if not hasattr(message, "n_replies"):
            message.n_replies = message.replies.count()  # type: ignore[attr-defined]
    else:
        target = f"#{Message(pk=message.parent_id).dom_id}-thread"  # parent's, unloaded
    return {"message": message, "target": target, "in_thread": message.parent_id is not None}


def message_html(message: Message, *, oob: bool = True) -> str:
    """A message as its list item; out-of-band it appends to the right list (or, when
    the page already has it, the page script replaces it in place)."""
    template = "chat/_message_oob.html" if oob else "chat/_message.html"
    return push.render(template, message_context(message))


def conversation_item_html(conversation: Conversation) -> str:
    return push.render("chat/_conversation_item.html", {"conversation": conversation, "oob": True})


def status_html(message: Message) -> str:
    return push.render("chat/_status.html", {"message": message, "oob": True})


def phase_html(message: Message, phase: str, detail: dict[str, Any]) -> str:
    """What the answer is doing (thinking, running a tool...), replacing the last one."""
    context = {"message": message, "phase": phase, "detail": detail, "oob": True}
    return push.render("chat/_phase.html", context)


def token_html(message: Message, text: str) -> str:
    """Streamed text, appended to the answer's stream."""
    return push.render("chat/_token.html", {"message": message, "text": text})


def removal_html(message: Message) -> str:
    return push.oob_delete(message.dom_id)


def reply_count_html(parent: Message) -> str:
    return push.render("chat/_reply_count.html", {"message": parent, "oob": True})


def typing_html(conversation: Conversation, who: str) -> str:
    context = {"conversation": conversation, "who": who, "oob": True}
    return push.render("chat/_typing.html", context)


def push_message(message: Message) -> None:
    """After commit: the message to the conversation's pages, the sidebar to all pages."""
    conversation = message.conversation
    html = message_html(message)
    if message.parent_id is not None:
        parent = Message.objects.with_reply_counts().get(pk=message.parent_id)
        html += reply_count_html(parent)
    push.send_on_commit(conversation.group, html)
    push_conversation_item(conversation)


def push_status(message: Message) -> None:
    push.send_on_commit(message.conversation.group, status_html(message))


def push_conversation_item(conversation: Conversation) -> None:
    """After commit: the conversation's sidebar item (renamed...) on all the user's pages."""
    push.send_on_commit(user_group(conversation.owner_id), conversation_item_html(conversation))


def push_conversation_removed(*, owner_id: int, dom_id: str) -> None:
    """After commit: a deleted conversation leaves the sidebar of all the user's pages."""
    push.send_on_commit(user_group(owner_id), push.oob_delete(dom_id))
