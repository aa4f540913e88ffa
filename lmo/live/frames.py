"""Frames on the page socket.

Browser -> server frames are JSON objects with a ``type``; anything else gets an
``error`` frame back. Server -> browser traffic is either HTML (fragments for htmx) or
one of the JSON frames below, which the page's script handles itself."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

MAX_FRAME_BYTES = 64 * 1024


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PingFrame(_Frame):
    """Liveness / latency probe. ``via="group"`` answers through the channel layer."""

    type: Literal["ping"]
    id: str = Field(min_length=1, max_length=64)
    via: Literal["direct", "group"] = "direct"


# Apps extend this union as they add frames (chat messages, typing, ...).
ClientFrame = Annotated[PingFrame, Field(discriminator="type")]
client_frame_adapter: TypeAdapter[PingFrame] = TypeAdapter(ClientFrame)


class PongFrame(_Frame):
    type: Literal["pong"] = "pong"
    id: str


class ErrorFrame(_Frame):
    type: Literal["error"] = "error"
    code: Literal["too_large", "invalid_json", "invalid_frame"]
    message: str
