"""``GET /runs/{id}/events``: a run's life as Server-Sent Events (``snapshot`` with what
is there already, then ``phase``, ``token``, ``waiting`` and ``end``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router

from chat.access import get_message_for_user
from chat.models import Message
from lmo.api.auth import require_scope
from lmo.api.endpoints.conversations import run_of
from lmo.api.models import Scope
from lmo.api.problems import Problem
from lmo.api.schemas import id_in_path
from lmo.api.streams import comment, follow, sse

router = Router(tags=["conversations"])
DONE = ("finished", "stopped", "failed")


def _question(request: HttpRequest, run_id: int) -> Message:
    require_scope(request, Scope.CHAT)
    question = get_message_for_user(request.user, run_id)
    if question.sender != Message.Sender.USER:
        raise Problem(404, "No such run.")
    return question


@router.get(
    "/runs/{run_id}/events",
    summary="Follow a run (SSE)",
    response={200: str},
    openapi_extra={
        "responses": {200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}}
    },
)
async def run_events(request: HttpRequest, run_id: int = id_in_path()) -> StreamingHttpResponse:
    question = await sync_to_async(_question)(request, run_id)
    return StreamingHttpResponse(
        _events(question),
        content_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(question: Message) -> AsyncIterator[bytes]:
    async with follow(question.conversation_id) as follower:
        # Subscribed first, then the snapshot: nothing that happens in between is lost.
        snapshot = await sync_to_async(run_of)(question)
        yield sse(snapshot.model_dump(mode="json"), event="snapshot")
        if snapshot.state in DONE:
            return
        while True:
            event = await follower.next(question.pk)
            if event is None:
                yield comment("keep-alive")
                continue
            yield sse(event.model_dump(mode="json"), event=event.kind)
            if event.kind == "end":
                return
