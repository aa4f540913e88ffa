"""Putting a result sent in ``result_part`` frames back together, per connection.

Parts come in order (one result's parts are sent one after another; other frames may come
between them); the whole is bounded by ``LMO_AGENT_MAX_RESULT_MB`` and checked against the
size and sha256 its last part carries. A refused result's later parts are dropped."""

from __future__ import annotations

import base64
import binascii
import hashlib
import tempfile
from dataclasses import dataclass, field
from typing import IO, Literal

from agent_bridge.local_agent import protocol

MAX_OPEN = 8  # results being received at once on one connection
SPOOL_BYTES = 1024 * 1024  # kept in memory up to this, then in a temporary file


class PartRefused(Exception):
    def __init__(self, code: Literal["too_large", "invalid_frame"], message: str) -> None:
        super().__init__(message)
        self.code: Literal["too_large", "invalid_frame"] = code
        self.message = message


@dataclass
class _Partial:
    buffer: IO[bytes] = field(
        default_factory=lambda: tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    )
    next_seq: int = 0
    size: int = 0
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


class Reassembly:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open: dict[str, _Partial] = {}
        self.refused: set[str] = set()

    def close(self) -> None:
        for partial in self.open.values():
            partial.buffer.close()
        self.open.clear()

    def _drop(self, run_id: str) -> None:
        partial = self.open.pop(run_id, None)
        if partial is not None:
            partial.buffer.close()
        if len(self.refused) < 1000:
            self.refused.add(run_id)

    def add(self, part: protocol.ResultPart) -> bytes | None:
        """The whole result's bytes once ``part`` completes it; None while more are to
        come or when the result was refused before (raises PartRefused)."""
        if part.id in self.refused:
            return None
        partial = self.open.get(part.id)
        if partial is None:
            if part.seq != 0:
                self._drop(part.id)
                raise PartRefused("invalid_frame", f"Part {part.seq} came before part 0.")
            if len(self.open) >= MAX_OPEN:
                self._drop(part.id)
                raise PartRefused(
                    "invalid_frame", f"At most {MAX_OPEN} results may be in transfer at once."
                )
            partial = self.open[part.id] = _Partial()
        try:
            piece = base64.b64decode(part.data, validate=True)
        except (binascii.Error, ValueError):
            self._drop(part.id)
            raise PartRefused("invalid_frame", "data: not valid base64.") from None
        if part.seq != partial.next_seq:
            self._drop(part.id)
            raise PartRefused(
                "invalid_frame", f"Part {part.seq} came where {partial.next_seq} was due."
            )
        partial.size += len(piece)
        if partial.size > self.limit or (part.size or 0) > self.limit:
            size = max(partial.size, part.size or 0)
            self._drop(part.id)
            raise PartRefused(
                "too_large",
                f"The result is too large (at least {megabytes(size)}, "
                f"limit {megabytes(self.limit)}).",
            )
        partial.buffer.write(piece)
        partial.digest.update(piece)
        partial.next_seq += 1
        if not part.last:
            return None
        del self.open[part.id]
        with partial.buffer:
            if part.size != partial.size or part.sha256 != partial.digest.hexdigest():
                raise PartRefused(
                    "invalid_frame", "The parts do not add up to the size and sha256 given."
                )
            partial.buffer.seek(0)
            return partial.buffer.read()
