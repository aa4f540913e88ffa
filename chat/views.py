"""Chat pages. Each view parses input, authorizes through chat.access, calls an action,
and renders; htmx requests get the named partial of the same template."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from chat import actions
from chat.access import get_conversation_for_user, get_message_for_user
from chat.actions.messages import check_content
from chat.errors import ChatInputError
from chat.live import message_context
from chat.models import Conversation, Message
from chat.pipeline.llm import llm_configured
from chat.suggestions import suggestions_for
from chat.voice import post_voice_message
from lmo.organisations.access import current_organisation_id

PAGE_SIZE = 30


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise Http404("Bad id.") from None


def _sidebar(request: HttpRequest) -> dict[str, Any]:
    query = request.GET.get("q", "")[:200]
    archived = request.GET.get("archived") == "1"
    conversations = Conversation.objects.owned_by(request.user).filter(archived=archived)
    return {
        "conversations": conversations.search(query)[:100],
        "query": query,
        "show_archived": archived,
    }


def _page(request: HttpRequest, messages: list[Message]) -> dict[str, Any]:
    return {
        "chat_messages": messages,  # not "messages": that is Django's messages framework
        "has_older": len(messages) == PAGE_SIZE,
        "oldest_id": messages[0].pk if messages else None,
    }


def _context(
    request: HttpRequest, conversation: Conversation | None, **extra: Any
) -> dict[str, Any]:
    rows: list[Message] = []
    if conversation is not None:
        rows = list(
            conversation.messages.top_level()
            .with_reply_counts()
            .select_related("run")
            .order_by("-pk")[:PAGE_SIZE]
        )[::-1]
    return {
        **_sidebar(request),
        **_page(request, rows),
        "conversation": conversation,
        "client_id": uuid.uuid4().hex,
        "suggestions": suggestions_for(request.user),
        "voice_enabled": settings.LMO_STT_ENABLED,
        "llm_enabled": llm_configured(current_organisation_id(request.user)),
        **extra,
    }


@login_required
@require_GET
def index(request: HtmxHttpRequest) -> HttpResponse:
    if request.htmx and request.GET.get("sidebar"):
        return render(request, "chat/index.html#sidebar-list", _sidebar(request))
    return render(request, "chat/index.html", _context(request, None))


@login_required
@require_GET
def conversation(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    found = get_conversation_for_user(request.user, pk)
    return render(request, "chat/index.html", _context(request, found))


@login_required
@require_GET
def older(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    found = get_conversation_for_user(request.user, pk)
    before = _int_or_none(request.GET.get("before"))
    rows = found.messages.top_level().with_reply_counts().select_related("run")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    page = list(rows.order_by("-pk")[:PAGE_SIZE])[::-1]
    return render(request, "chat/index.html#older", {"conversation": found, **_page(request, page)})


@login_required
@require_POST
def new(request: HtmxHttpRequest) -> HttpResponse:
    content = request.POST.get("content", "")
    created = None
    try:
        if content.strip():
            check_content(content)
        created = actions.create_conversation(user=request.user)
        if content.strip():
            actions.post_user_message(
                conversation=created,
                content=content,
                client_id=request.POST.get("client_id") or uuid.uuid4().hex,
            )
    except ChatInputError as exc:
        return render(
            request,
            "chat/index.html",
            _context(request, None, error=str(exc), draft=content),
            status=422,
        )
    if request.htmx:
        return HttpResponseClientRedirect(created.get_absolute_url())
    return redirect(created)


@login_required
@require_POST
def send(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    found = get_conversation_for_user(request.user, pk)
    content = request.POST.get("content", "")
    parent_id = _int_or_none(request.POST.get("parent"))
    try:
        posted = actions.post_user_message(
            conversation=found,
            content=content,
            client_id=request.POST.get("client_id", ""),
            parent_id=parent_id,
        )
    except ChatInputError as exc:
        if request.htmx:
            return render(request, "chat/_error.html", {"error": str(exc)}, status=422)
        return render(
            request,
            "chat/index.html",
            _context(request, found, error=str(exc), draft=content),
            status=422,
        )
    if request.htmx:
        return _posted(request, posted.message)
    if posted.message.parent_id:
        return redirect("chat:thread", posted.message.parent_id)
    return redirect(f"{found.get_absolute_url()}#{posted.message.dom_id}")


@login_required
@require_POST
def voice(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    found = get_conversation_for_user(request.user, pk)
    upload = request.FILES.get("audio")
    try:
        if upload is None:
            raise ChatInputError("No recording was uploaded.")
        posted = post_voice_message(
            conversation=found,
            upload=upload,
            client_id=request.POST.get("client_id", ""),
            parent_id=_int_or_none(request.POST.get("parent")),
        )
    except ChatInputError as exc:
        return render(request, "chat/_error.html", {"error": str(exc)}, status=422)
    return _posted(request, posted.message)


def _posted(request: HttpRequest, message: Message) -> HttpResponse:
    """A message posted by htmx: the same out-of-band fragment the socket pushes (it goes
    to its list in place of the pending bubble; the page upserts it if it came first)."""
    return render(request, "chat/_message_oob.html", message_context(message))


@login_required
@require_GET
def audio(request: HtmxHttpRequest, pk: int) -> FileResponse:
    message = get_message_for_user(request.user, pk)
    if not message.audio:
        raise Http404("No recording.")
    return FileResponse(
        message.audio.open("rb"), content_type=_audio_type(message.audio.name or "")
    )


def _audio_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {"webm": "audio/webm", "ogg": "audio/ogg", "wav": "audio/wav", "mp3": "audio/mpeg",
            "mp4": "audio/mp4", "flac": "audio/flac"}.get(ext, "application/octet-stream")  # fmt: skip


@login_required
@require_GET
def message(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One message as the page shows it (the page refreshes answers that finished while
    it was connecting)."""
    found = get_message_for_user(request.user, pk)
    found.n_replies = found.replies.count()  # type: ignore[attr-defined]
    return render(request, "chat/_message.html", {"message": found})


@login_required
@require_GET
def thread(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    parent = get_message_for_user(request.user, pk)
    if parent.parent_id is not None:
        return redirect("chat:thread", parent.parent_id)
    context = {
        "parent": parent,
        "replies": list(parent.replies.order_by("pk")),
        "client_id": uuid.uuid4().hex,
        "conversation": parent.conversation,
    }
    if request.htmx:  # the chat page's thread panel
        return render(request, "chat/_thread.html", {**context, "in_panel": True})
    return render(request, "chat/thread_page.html", context)


@login_required
@require_POST
def rename(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    found = get_conversation_for_user(request.user, pk)
    try:
        actions.rename_conversation(conversation=found, title=request.POST.get("title", ""))
    except ChatInputError as exc:
        return render(request, "chat/_error.html", {"error": str(exc)}, status=422)
    if request.htmx:
        return render(request, "chat/_title.html", {"conversation": found})
    return redirect(found)


@login_required
@require_POST
def archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    found = get_conversation_for_user(request.user, pk)
    actions.set_archived(conversation=found, archived=request.POST.get("archived", "1") == "1")
    return redirect(found) if found.archived is False else redirect("chat:index")


@login_required
@require_POST
def delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    found = get_conversation_for_user(request.user, pk)
    actions.delete_conversation(conversation=found)
    if request.htmx:
        return HttpResponseClientRedirect("/chat/")
    return redirect("chat:index")


@login_required
@require_POST
def stop(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    message = get_message_for_user(request.user, pk)
    actions.stop_answer(answer=message)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(message.conversation)


@login_required
@require_POST
def retry(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    message = get_message_for_user(request.user, pk)
    actions.retry_answer(answer=message)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(message.conversation)
