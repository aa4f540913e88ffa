"""Page-socket frames of the chat (browser -> server), registered in ChatConfig.ready."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lmo.live.frames import _Frame


class JoinFrame(_Frame):
    type: Literal["chat.join"]
    conversation: int
    # The newest message the page shows: messages after it (written while the page was
    # loading or reconnecting, before this socket was in the conversation) are sent on join.
    after: int | None = Field(default=None, ge=0)


class LeaveFrame(_Frame):
    type: Literal["chat.leave"]
    conversation: int


class SendFrame(_Frame):
    type: Literal["chat.send"]
    conversation: int
    client_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    # Length is checked by the action, which explains the limit; the frame size caps it.
    content: str
    parent: int | None = None


class TypingFrame(_Frame):
    type: Literal["chat.typing"]
    conversation: int


class ReadFrame(_Frame):
    type: Literal["chat.read"]
    conversation: int
    up_to: int


class StopFrame(_Frame):
    type: Literal["chat.stop"]
    message: int


class AckFrame(_Frame):
    """A sent message was stored (``duplicate``: it already had been)."""

    type: Literal["chat.ack"] = "chat.ack"
    client_id: str
    message: int
    duplicate: bool = False


class JoinedFrame(_Frame):
    type: Literal["chat.joined"] = "chat.joined"
    conversation: int
