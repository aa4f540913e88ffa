"""The wire protocol between LMO and the local agent on ``/ws/agent/``.

Every frame is one JSON object with a ``type``. Both ends validate every frame with these
models (the local agent imports this module; it has no Django import). A frame that is not
JSON, too large, of an unknown type or of the wrong shape is answered with an ``error``
frame that names the problem; the connection stays open. See ``docs/protocol.md``.

Flow: the agent sends ``hello`` (the protocol versions it speaks, its platform, its
connectors and their actions with JSON schemas, the commands it still holds); the server
answers ``hello_ok`` with the chosen version. The server sends ``command``; the agent
answers ``ack`` at once, maybe ``progress``, then ``result``, which the server
acknowledges with ``ack`` (``of="result"``) once stored. A result too large for one frame
travels as ``result_part`` frames (the ``result`` frame's JSON in base64 pieces, the last
with the whole one's size and sha256), up to the server's ``max_result_bytes`` (in
``hello_ok``'s config). Activities travel as ``activities`` batches acknowledged per item
by ``activities_ack``. The server may ask the agent to ``restart`` a connector (an MCP
server the agent reported ``unavailable`` in its hello)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

# Versions this build speaks; ``hello`` lists the agent's, the highest common one wins.
PROTOCOL_VERSIONS: tuple[int, ...] = (1,)
# Application cap on one frame (an activities batch or a file read is the largest).
MAX_FRAME_BYTES = 2 * 1024 * 1024
MAX_BATCH_ITEMS = 500
MAX_DEPTH = 64  # objects and arrays in a frame nest at most this deep
MAX_REF = 64  # the longest id an error frame names
# A result over one frame travels in parts of this many bytes (base64 in the frame).
RESULT_PART_BYTES = 1024 * 1024
DEFAULT_MAX_RESULT_BYTES = 25 * 1024 * 1024  # unless hello_ok's config says otherwise

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_:.-]*$")]
RunId = Annotated[str, Field(min_length=1, max_length=64)]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True)


# --- capabilities ----------------------------------------------------------------------
class ActionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Name
    description: str = Field(default="", max_length=1000)
    # JSON schema (an object schema) of the action's parameters.
    params: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    writes: bool = False  # changes something on the computer


class ConnectorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Name  # filesystem, browser, shell, apps, system, mcp:<server>
    description: str = Field(default="", max_length=1000)
    actions: list[ActionSpec] = Field(default_factory=list, max_length=200)


class Unavailable(BaseModel):
    """A connector the agent is configured with but cannot offer now (an MCP server that
    is missing, crashed on start or never answered ``initialize``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Name
    error: str = Field(max_length=500)


# --- agent -> server -------------------------------------------------------------------
class Hello(_Frame):
    type: Literal["hello"] = "hello"
    protocols: list[int] = Field(min_length=1, max_length=16)
    agent_version: str = Field(max_length=40)
    platform: str = Field(max_length=120)
    hostname: str = Field(default="", max_length=255)
    connectors: list[ConnectorSpec] = Field(default_factory=list, max_length=100)
    # Commands the agent has taken and not finished reporting (running, or result not
    # yet acknowledged): the server leaves those alone instead of re-sending or failing.
    holding: list[RunId] = Field(default_factory=list, max_length=10_000)
    unavailable: list[Unavailable] = Field(default_factory=list, max_length=100)


class Ack(_Frame):
    """Agent -> server: "command received" (``of="command"``). Server -> agent: "result
    stored" (``of="result"``), after which the agent forgets the result."""

    type: Literal["ack"] = "ack"
    id: RunId
    of: Literal["command", "result"] = "command"


class Progress(_Frame):
    type: Literal["progress"] = "progress"
    id: RunId
    message: str = Field(default="", max_length=500)
    percent: float | None = Field(default=None, ge=0, le=100)


class ResultError(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(
        max_length=64
    )  # refused, not_found, invalid_params, failed, timeout, interrupted...
    message: str = Field(max_length=4000)


class Result(_Frame):
    type: Literal["result"] = "result"
    id: RunId
    ok: bool
    data: Any = None
    error: ResultError | None = None
    duration_ms: float | None = Field(default=None, ge=0)


class ResultPart(_Frame):
    """One piece of a ``result`` frame too large to send whole: ``data`` is base64 of the
    bytes from ``seq * RESULT_PART_BYTES``; the ``last`` one carries the whole size and
    sha256 (hex) for the server to check before it parses the reassembled result."""

    type: Literal["result_part"] = "result_part"
    id: RunId
    seq: int = Field(ge=0, le=10_000)
    data: str = Field(max_length=(RESULT_PART_BYTES * 4) // 3 + 8)
    last: bool = False
    size: int | None = Field(default=None, ge=0)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class ActivitiesBatch(_Frame):
    type: Literal["activities"] = "activities"
    batch: str = Field(min_length=1, max_length=64)
    items: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)


class Ping(_Frame):
    type: Literal["ping"] = "ping"
    id: str = Field(default="", max_length=64)


class Pong(_Frame):
    type: Literal["pong"] = "pong"
    id: str = Field(default="", max_length=64)


ErrorCode = Literal[
    "too_large",
    "invalid_json",
    "invalid_frame",
    "unknown_type",
    "unsupported_protocol",
    "hello_first",
    "unknown_command",
    "internal",
]


class Error(_Frame):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str = Field(max_length=2000)
    ref: str | None = Field(default=None, max_length=MAX_REF)  # the frame/command it is about


# --- server -> agent -------------------------------------------------------------------
class HelloOk(_Frame):
    type: Literal["hello_ok"] = "hello_ok"
    protocol: int
    agent_id: str
    name: str
    heartbeat_seconds: int
    max_frame_bytes: int
    config: dict[str, Any] = Field(default_factory=dict)


class Command(_Frame):
    type: Literal["command"] = "command"
    id: RunId
    target: Name  # connector
    action: Name
    params: dict[str, Any] = Field(default_factory=dict)
    deadline: datetime


class ItemOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(max_length=255)
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str = Field(default="", max_length=500)


class ActivitiesAck(_Frame):
    type: Literal["activities_ack"] = "activities_ack"
    batch: str
    items: list[ItemOutcome]


class ConfigUpdate(_Frame):
    type: Literal["config"] = "config"
    # Server-side preferences the agent applies on top of its local policy (tracking
    # switches...); keys the agent does not know are ignored.
    config: dict[str, Any]


class Restart(_Frame):
    """Start this connector again now (the user pressed Retry on an unavailable one)."""

    type: Literal["restart"] = "restart"
    connector: Name


AgentFrame = Hello | Ack | Progress | Result | ResultPart | ActivitiesBatch | Ping | Pong | Error
ServerFrame = HelloOk | Command | Ack | ActivitiesAck | ConfigUpdate | Restart | Ping | Pong | Error

_agent_frames: TypeAdapter[Any] = TypeAdapter(Annotated[AgentFrame, Field(discriminator="type")])
_server_frames: TypeAdapter[Any] = TypeAdapter(Annotated[ServerFrame, Field(discriminator="type")])
_AGENT_TYPES = {
    "hello",
    "ack",
    "progress",
    "result",
    "result_part",
    "activities",
    "ping",
    "pong",
    "error",
}
_SERVER_TYPES = {
    "hello_ok",
    "command",
    "ack",
    "activities_ack",
    "config",
    "restart",
    "ping",
    "pong",
    "error",
}


class FrameError(ValueError):
    """A frame that cannot be accepted; ``code``/``message`` go into the error frame."""

    def __init__(self, code: ErrorCode, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        self.ref = ref

    def frame(self) -> Error:
        ref = self.ref if self.ref and len(self.ref) <= MAX_REF and "\x00" not in self.ref else None
        return Error(code=self.code, message=self.message[:2000], ref=ref)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether objects and arrays nest more than ``limit`` levels (without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _without_nul(value: Any) -> Any:
    """``value`` with every NUL in its text (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _nul_free(payload: dict[str, Any], kind: Any, ref: str | None) -> dict[str, Any]:
    """No database keeps a NUL in text. A command's output may hold one (a program wrote
    it): it is shown as U+FFFD. Activities are judged item by item when ingested.
    Anywhere else it makes the frame invalid."""
    if kind == "result":
        return dict(_without_nul(payload))
    judged = {k: v for k, v in payload.items() if not (kind == "activities" and k == "items")}
    if _without_nul(judged) != judged:
        raise FrameError("invalid_frame", "Text in a frame may not contain NUL.", ref=ref)
    return payload


def _parse(
    raw: str | bytes, adapter: TypeAdapter[Any], known: set[str], limit: int = MAX_FRAME_BYTES
) -> Any:
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > limit:
        raise FrameError("too_large", f"Frames are limited to {limit} bytes ({size}).")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise FrameError("invalid_json", f"Frames must be JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise FrameError("invalid_frame", "A frame must be a JSON object.")
    kind = payload.get("type")
    given = payload.get("id")
    ref = (
        given if isinstance(given, str) and len(given) <= MAX_REF and "\x00" not in given else None
    )
    if not isinstance(kind, str) or kind not in known:
        raise FrameError("unknown_type", f"Unknown frame type {_short(kind)}.", ref=ref)
    if _deeper_than(payload, MAX_DEPTH):
        raise FrameError("invalid_frame", f"Frames nest at most {MAX_DEPTH} levels.", ref=ref)
    payload = _nul_free(payload, kind, ref)
    try:
        return adapter.validate_python(payload)
    except ValidationError as exc:
        raise FrameError("invalid_frame", describe(exc), ref=ref) from None


def parse_agent_frame(raw: str | bytes) -> AgentFrame:
    """Validate a frame the agent sent (raises FrameError)."""
    return _parse(raw, _agent_frames, _AGENT_TYPES)


_results: TypeAdapter[Any] = TypeAdapter(Result)


def parse_reassembled_result(raw: bytes, limit: int) -> Result:
    """Validate a ``result`` frame put together from ``result_part`` frames (raises
    FrameError): the same checks as any frame, with the result's own size limit."""
    return _parse(raw, _results, {"result"}, limit=limit)


def result_parts(result: Result, part_bytes: int = RESULT_PART_BYTES) -> list[ResultPart]:
    """``result`` as ``result_part`` frames (for one over MAX_FRAME_BYTES)."""
    raw = result.dump().encode()
    pieces = [raw[at : at + part_bytes] for at in range(0, len(raw), part_bytes)] or [b""]
    digest = hashlib.sha256(raw).hexdigest()
    return [
        ResultPart(
            id=result.id,
            seq=seq,
            data=base64.b64encode(piece).decode(),
            last=seq == len(pieces) - 1,
            size=len(raw) if seq == len(pieces) - 1 else None,
            sha256=digest if seq == len(pieces) - 1 else None,
        )
        for seq, piece in enumerate(pieces)
    ]


def parse_server_frame(raw: str | bytes) -> ServerFrame:
    """Validate a frame the server sent (raises FrameError)."""
    return _parse(raw, _server_frames, _SERVER_TYPES)


def describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ())[1:] or error.get("loc", ()))
        parts.append(f"{where or 'frame'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def negotiate(offered: list[int]) -> int | None:
    common = set(offered) & set(PROTOCOL_VERSIONS)
    return max(common) if common else None
