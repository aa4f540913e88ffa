"""Conversations, their messages, and the assistant runs that answer them (scope
``chat``). The same actions as the chat page: a message posted here shows up live on
the user's open pages and is answered by the same assistant."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query as QueryParam
from ninja import Router
from ninja.responses import Status

from chat import actions as chat_actions
from chat.access import get_conversation_for_user, get_message_for_user
from chat.errors import ChatInputError, ChatNotFoundError
from chat.models import AssistantRun, Conversation, Message
from lmo.api import idempotency
from lmo.api.auth import require_quota, require_scope
from lmo.api.models import Scope
from lmo.api.problems import Problem
from lmo.api.schemas import (
    MAX_ID,
    ConversationDetail,
    ConversationIn,
    ConversationOut,
    ConversationPage,
    MessageIn,
    MessageOut,
    PostedMessage,
    RunOut,
    id_in_path,
)

router = Router(tags=["conversations"])
MESSAGES_SHOWN = 200


def _message(message: Message) -> MessageOut:
    return MessageOut(
        id=message.pk,
        sender=message.sender,
        content=message.content,
        status=message.status,
        parent_id=message.parent_id,
        answer_to_id=message.answer_to_id,
        created_at=message.created_at,
        blocks=message.blocks if message.sender == Message.Sender.ASSISTANT else [],
    )


def _conversation(conversation: Conversation) -> ConversationOut:
    return ConversationOut(
        id=conversation.pk,
        title=conversation.display_title,
        archived=conversation.archived,
        created_at=conversation.created_at,
        last_message_at=conversation.last_message_at,
    )


def run_of(question: Message) -> RunOut:
    """What became of the assistant's answer to ``question``."""
    answer = Message.objects.filter(answer_to=question).select_related("run").first()
    run: AssistantRun | None = getattr(answer, "run", None) if answer else None
    if answer is None:
        state = "queued"
    elif answer.status == Message.Status.ERROR:
        state = "failed"
    elif answer.metadata.get("stopped"):
        state = "stopped"
    elif run is None or run.is_finished:
        state = "finished" if answer.status == Message.Status.SENT else "running"
    else:
        state = "waiting" if run.state == AssistantRun.State.WAITING else "running"
    return RunOut(
        id=question.pk,
        conversation_id=question.conversation_id,
        state=state,
        answer=_message(answer) if answer else None,
        waiting=run.waiting if run is not None and state == "waiting" else None,
        error=str(answer.metadata.get("error")) if answer and state == "failed" else None,
    )


@router.get("/conversations", response=ConversationPage, summary="List conversations")
def list_conversations(
    request: HttpRequest,
    limit: int = QueryParam(20, ge=1, le=100),
    before: int | None = QueryParam(None, ge=1, le=MAX_ID),
    archived: bool = QueryParam(False),
) -> ConversationPage:
    """Newest activity first. Keyset-paged: pass ``next_before`` as ``before``."""
    require_scope(request, Scope.CHAT)
    rows = Conversation.objects.owned_by(request.user).filter(archived=archived).order_by("-pk")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return ConversationPage(
        items=[_conversation(c) for c in page],
        next_before=page[-1].pk if more and page else None,
    )


@router.post("/conversations", response={201: ConversationOut}, summary="Start a conversation")
def create_conversation(request: HttpRequest, payload: ConversationIn) -> Status[ConversationOut]:
    require_scope(request, Scope.CHAT)
    conversation = chat_actions.create_conversation(user=request.user, title=payload.title)
    return Status(201, _conversation(conversation))


@router.get(
    "/conversations/{conversation_id}",
    response=ConversationDetail,
    summary="A conversation with its messages",
)
def get_conversation(
    request: HttpRequest, conversation_id: int = id_in_path()
) -> ConversationDetail:
    require_scope(request, Scope.CHAT)
    conversation = get_conversation_for_user(request.user, conversation_id)
    messages = list(conversation.messages.order_by("-pk")[:MESSAGES_SHOWN])[::-1]
    return ConversationDetail(
        **_conversation(conversation).model_dump(), messages=[_message(m) for m in messages]
    )


@router.delete(
    "/conversations/{conversation_id}", response={204: None}, summary="Delete a conversation"
)
def delete_conversation(request: HttpRequest, conversation_id: int = id_in_path()) -> HttpResponse:
    require_scope(request, Scope.CHAT)
    conversation = get_conversation_for_user(request.user, conversation_id)
    chat_actions.delete_conversation(conversation=conversation)
    return HttpResponse(status=204)


@router.post(
    "/conversations/{conversation_id}/messages",
    response={202: PostedMessage, 200: PostedMessage},
    summary="Ask the assistant",
)
def post_message(
    request: HttpRequest,
    payload: MessageIn,
    conversation_id: int = id_in_path(),
) -> Status[PostedMessage]:
    """Stores the message and starts an assistant run answering it (202). With an
    ``Idempotency-Key`` header, a retry returns the first answer and posts nothing
    twice (the key also names the message, so even a retry after the first answer was
    lost finds it: 200)."""
    key = require_scope(request, Scope.CHAT)
    conversation = get_conversation_for_user(request.user, conversation_id)
    idempotency_key = request.headers.get(idempotency.HEADER)  # checked by the middleware
    client_id = f"api-{idempotency_key}" if idempotency_key else f"api-{_fresh_id()}"
    existing = conversation.messages.filter(client_id=client_id).first()
    if existing is None:
        require_quota(key)
    try:
        posted = chat_actions.post_user_message(
            conversation=conversation,
            content=payload.content,
            client_id=client_id,
            parent_id=payload.parent_id,
            origin=AssistantRun.Origin.API,
            organisation_id=key.organisation_id,
            scopes=list(key.scopes),
            key_prefix=key.prefix,
        )
    except ChatNotFoundError as exc:
        raise Problem(404, str(exc)) from None
    except ChatInputError as exc:
        raise Problem(422, str(exc)) from None
    if not posted.created and posted.message.content != payload.content:
        raise Problem(409, "This Idempotency-Key was already used for a different message.")
    body = PostedMessage(message=_message(posted.message), run=run_of(posted.message))
    return Status(202 if posted.created else 200, body)


def _fresh_id() -> str:
    import secrets

    return secrets.token_hex(16)


@router.get("/runs/{run_id}", response=RunOut, summary="An assistant run")
def get_run(request: HttpRequest, run_id: int = id_in_path()) -> RunOut:
    """A run is named by the id of the message it answers."""
    require_scope(request, Scope.CHAT)
    question = get_message_for_user(request.user, run_id)
    if question.sender != Message.Sender.USER:
        raise Problem(404, "No such run.")
    return run_of(question)
