"""Frames on the page socket.

Browser -> server frames are JSON objects with a ``type``; anything else gets an
``error`` frame back. Apps add their own frame types with ``register_frame`` (from their
``AppConfig.ready``), each with the async handler that serves it. Server -> browser
traffic is either HTML (fragments for htmx) or one of the JSON frames below, which the
page's script handles itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from lmo.text import refuse_nul

if TYPE_CHECKING:
    from lmo.live.consumers import LiveConsumer

# A chat message may be 20,000 characters of any script: room for that plus JSON quoting.
MAX_FRAME_BYTES = 128 * 1024


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # (a model validator: the discriminating ``type`` may have no field validator)
    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class ServerFrame(_Frame):
    """A frame the server pushes to pages (``lmo.live.push.send_frame_on_commit``); each
    app declares its own, with a ``type`` default the page script dispatches on."""


class PingFrame(_Frame):
    """Liveness / latency probe. ``via="group"`` answers through the channel layer."""

    type: Literal["ping"]
    id: str = Field(min_length=1, max_length=64)
    via: Literal["direct", "group"] = "direct"


class PongFrame(ServerFrame):
    type: Literal["pong"] = "pong"
    id: str


ErrorCode = Literal[
    "too_large", "invalid_json", "invalid_frame", "not_found", "invalid_input", "busy"
]


class ErrorFrame(ServerFrame):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    # What the failed frame referred to (a chat message's client id...), for the page.
    ref: str | None = None


Handler = Callable[["LiveConsumer", Any], Awaitable[None]]
_registry: dict[str, tuple[type[_Frame], Handler]] = {}
_adapter: TypeAdapter[Any] | None = None


def register_frame(model: type[_Frame], handler: Handler) -> None:
    """Accept frames of ``model`` (its ``type`` literal names it) and serve them with
    ``handler(consumer, frame)``."""
    global _adapter
    frame_type = model.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    _registry[frame_type] = (model, handler)
    _adapter = None


def parse_client_frame(payload: Any) -> _Frame:
    """Validate a decoded frame against every registered type (pydantic errors raise)."""
    global _adapter
    if _adapter is None:
        models = tuple(model for model, _ in _registry.values())
        union = models[0] if len(models) == 1 else Union[models]  # noqa: UP007
        _adapter = TypeAdapter(Annotated[union, Field(discriminator="type")])  # type: ignore[arg-type]
    return _adapter.validate_python(payload)


def handler_for(frame: _Frame) -> Handler:
    return _registry[frame.type][1]  # type: ignore[attr-defined]
