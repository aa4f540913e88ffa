"""Doing something when a streamed answer ends: the request log (its latency and
tokens are known only then) and the idempotency store (the whole body is kept)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse

# Called with the body (b"" unless kept) once the stream was sent to its end, or with None
# when the client went away before.
Done = Callable[[bytes | None], None]


def when_finished(response: StreamingHttpResponse, done: Done, *, keep_body: bool) -> None:
    if response.is_async:
        response.streaming_content = _async(response.streaming_content, done, keep_body)
    else:
        response.streaming_content = _sync(response.streaming_content, done, keep_body)


async def _async(chunks: Any, done: Done, keep_body: bool) -> AsyncIterator[bytes]:
    seen: list[bytes] = []
    finished = False
    try:
        async for chunk in chunks:
            if keep_body:
                seen.append(bytes(chunk))
            yield chunk
        finished = True
    finally:
        await sync_to_async(done)(b"".join(seen) if finished else None)


def _sync(chunks: Any, done: Done, keep_body: bool) -> Iterable[bytes]:
    seen: list[bytes] = []
    finished = False
    try:
        for chunk in chunks:
            if keep_body:
                seen.append(bytes(chunk))
            yield chunk
        finished = True
    finally:
        done(b"".join(seen) if finished else None)
