"""OpenAI-compatible chat completions: ``POST /chat/completions`` (plain and ``stream``)
and ``GET /models``, so the official SDKs work unchanged against ``/api/v1``.

The "model" is LMO's assistant with its tools: the caller's messages become a
conversation of the user (visible in their chat, so they see what programs asked), the
last one is answered by the same run as on the chat page, and the reply is streamed
from the run's events. A machine command that needs permission shows its card in LMO;
the stream sends SSE comments while it waits."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from chat import actions as chat_actions
from chat.actions.conversations import title_from
from chat.errors import ChatInputError
from chat.models import AssistantRun, Conversation, Message
from chat.run_events import RunEvent
from lmo.api.auth import require_quota, require_scope
from lmo.api.models import ApiKey, Scope
from lmo.api.problems import Problem
from lmo.api.schemas import InputSchema
from lmo.api.streams import comment, follow, sse

router = Router(tags=["openai"])
MODEL = "lmo-assistant"


class ContentPart(Schema):
    model_config = ConfigDict(extra="ignore")
    type: str
    text: str = ""


class ChatMessage(Schema):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text for p in self.content if p.type == "text")
        return self.content or ""


class StreamOptions(Schema):
    model_config = ConfigDict(extra="ignore")
    include_usage: bool = False


class CompletionIn(InputSchema):
    # Sampling options (temperature, top_p...) are accepted and left to the assistant.
    model_config = ConfigDict(extra="ignore")
    model: str
    messages: list[ChatMessage] = Field(min_length=1, max_length=500)
    stream: bool = False
    stream_options: StreamOptions | None = None


class ModelOut(Schema):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(Schema):
    object: Literal["list"] = "list"
    data: list[ModelOut]


@router.get("/models", response=ModelList, summary="Models (OpenAI-compatible)")
def list_models(request: HttpRequest) -> ModelList:
    require_scope(request, Scope.CHAT)
    return ModelList(data=[ModelOut(id=MODEL, created=1767225600, owned_by="lmo")])


def _question_text(messages: list[ChatMessage]) -> str:
    last = messages[-1]
    if last.role != "user" or not last.text().strip():
        raise Problem(422, "The last message must be the user's, with text.")
    instructions = "\n".join(m.text() for m in messages if m.role in ("system", "developer"))
    question = last.text()
    if instructions.strip():
        question = f"(Instructions from the calling program: {instructions.strip()})\n\n{question}"
    return question


@transaction.atomic
def _start(key: ApiKey, messages: list[ChatMessage]) -> tuple[Conversation, Message]:
    """The conversation with the caller's earlier turns, and the question (its answer is
    enqueued after commit)."""
    question = _question_text(messages)
    conversation = chat_actions.create_conversation(
        user=key.user, title=title_from(question.split("\n\n")[-1])
    )
    for turn in messages[:-1]:
        if turn.role in ("user", "assistant") and turn.text().strip():
            Message.objects.create(
                conversation=conversation,
                sender=Message.Sender.USER if turn.role == "user" else Message.Sender.ASSISTANT,
                content=turn.text()[:20000],
                status=Message.Status.SENT,
            )
    return conversation, Message(conversation=conversation, content=question)


def _post(key: ApiKey, conversation: Conversation, question: str) -> Message:
    try:
        posted = chat_actions.post_user_message(
            conversation=conversation,
            content=question,
            client_id=f"api-{uuid.uuid4().hex}",
            origin=AssistantRun.Origin.API,
            organisation_id=key.organisation_id,
            scopes=list(key.scopes),
            key_prefix=key.prefix,
        )
    except ChatInputError as exc:
        raise Problem(422, str(exc)) from None
    return posted.message


def _usage(event: RunEvent) -> dict[str, int]:
    usage = event.usage or {}
    prompt, completion = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _chunk(cid: str, created: int, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _failure(event: RunEvent) -> dict[str, Any]:
    return {
        "error": {
            "message": event.text or "The assistant could not answer.",
            "type": "assistant_error",
        }
    }


@router.post(
    "/chat/completions",
    summary="Chat completions (OpenAI-compatible)",
    response={200: dict[str, Any]},
)
async def chat_completions(request: HttpRequest, payload: CompletionIn) -> Any:
    key: ApiKey = await sync_to_async(require_scope)(request, Scope.CHAT)
    if payload.model != MODEL:
        raise Problem(404, f"The model {payload.model!r} does not exist; use {MODEL!r}.")
    await sync_to_async(require_quota)(key)
    conversation, draft = await sync_to_async(_start)(key, payload.messages)
    include_usage = bool(payload.stream_options and payload.stream_options.include_usage)
    cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    if payload.stream:
        return StreamingHttpResponse(
            _stream(request, key, conversation, draft.content, cid, created, include_usage),
            content_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    async with follow(conversation.pk) as follower:
        question = await sync_to_async(_post)(key, conversation, draft.content)
        deadline = time.monotonic() + settings.LMO_API_COMPLETION_TIMEOUT
        text = ""
        while True:
            if time.monotonic() > deadline:
                raise Problem(504, "The assistant did not finish in time; the answer stays in LMO.")
            event = await follower.next(question.pk)
            if event is None:
                continue
            if event.kind == "token":
                text += event.text
            elif event.kind == "end":
                break
    request.api_tokens = _tokens(event)  # type: ignore[attr-defined]  # the request log's
    if event.state == "failed":
        raise Problem(502, event.text or "The assistant could not answer.")
    return HttpResponse(
        _json(
            {
                "id": cid,
                "object": "chat.completion",
                "created": created,
                "model": MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": event.text or text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": _usage(event),
            }
        ),
        content_type="application/json",
    )


def _json(data: Any) -> str:
    import json

    return json.dumps(data)


def _tokens(event: RunEvent) -> int:
    return _usage(event)["total_tokens"]


async def _stream(
    request: HttpRequest,
    key: ApiKey,
    conversation: Conversation,
    question_text: str,
    cid: str,
    created: int,
    include_usage: bool,
) -> AsyncIterator[bytes]:
    async with follow(conversation.pk) as follower:
        question = await sync_to_async(_post)(key, conversation, question_text)
        yield sse(_chunk(cid, created, {"role": "assistant", "content": ""}, None))
        while True:
            event = await follower.next(question.pk)
            if event is None:
                yield comment("keep-alive")
                continue
            if event.kind == "token" and event.text:
                yield sse(_chunk(cid, created, {"content": event.text}, None))
            elif event.kind == "waiting":
                yield comment("waiting for the user's decision in LMO")
            elif event.kind == "end":
                break
    request.api_tokens = _tokens(event)  # type: ignore[attr-defined]  # the request log's
    if event.state == "failed":
        yield sse(_failure(event))
    else:
        yield sse(_chunk(cid, created, {}, "stop"))
        if include_usage:
            final = {**_chunk(cid, created, {}, None), "choices": [], "usage": _usage(event)}
            yield sse(final)
    yield b"data: [DONE]\n\n"
