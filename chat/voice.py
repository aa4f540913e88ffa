"""Voice messages: a recorded clip is checked, stored, transcribed by an OpenAI-compatible
``/audio/transcriptions`` endpoint (``LMO_STT_*``), then answered like typed text."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from chat.actions.messages import Posted, enqueue_answer_on_commit, post_user_message
from chat.errors import ChatInputError
from chat.live import push_message
from chat.models import Conversation, Message
from lmo.organisations.access import current_organisation_id
from lmo.usage.actions import record_usage

log = logging.getLogger(__name__)
AUDIO_TYPES = {"webm", "ogg", "wav", "mp3", "mp4", "flac"}


def sniff_audio(head: bytes) -> str | None:
    """The container of an audio clip from its first bytes (not from what the browser
    claims), or None."""
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[4:8] == b"ftyp":
        return "mp4"
    return None


def check_audio(upload: UploadedFile) -> str:
    size = upload.size or 0
    if size == 0:
        raise ChatInputError("The recording is empty. Hold the mic button a little longer.")
    if size > settings.LMO_VOICE_MAX_BYTES:
        limit = settings.LMO_VOICE_MAX_BYTES // (1024 * 1024)
        raise ChatInputError(f"Voice messages are limited to {limit} MB; this one is larger.")
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if declared and not declared.startswith(("audio/", "video/webm", "video/mp4")):
        raise ChatInputError(f"A voice message must be audio, not {declared}.")
    upload.seek(0)
    kind = sniff_audio(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise ChatInputError(
            "That file is not a recording in a format I know (WebM, Ogg, WAV, MP3, MP4, FLAC)."
        )
    return kind


def post_voice_message(
    *, conversation: Conversation, upload: UploadedFile, client_id: str, parent_id: int | None
) -> Posted:
    if not settings.LMO_STT_ENABLED:
        raise ChatInputError(
            "Voice input needs a speech-to-text endpoint: set LMO_STT_BASE_URL (and LMO_STT_API_KEY)."
        )
    kind = check_audio(upload)
    upload.name = f"voice.{kind}"
    with transaction.atomic():
        posted = post_user_message(
            conversation=conversation,
            content="",
            client_id=client_id,
            parent_id=parent_id,
            type=Message.Type.VOICE,
            audio=upload,
            answer=False,
        )
        if posted.created:
            from chat.tasks import transcribe_voice

            message_id = posted.message.pk
            transaction.on_commit(lambda: transcribe_voice.delay(message_id))
    return posted


def _transcribe(path: str, name: str) -> tuple[str, dict[str, int]]:
    """The text and the tokens the provider reported for it (none when it reports a
    duration instead, as whisper-1 does)."""
    import openai

    client = openai.OpenAI(
        base_url=settings.LMO_STT_BASE_URL,
        api_key=settings.LMO_STT_API_KEY or "not-needed",
        timeout=settings.LMO_LLM_TIMEOUT,
        max_retries=settings.LMO_LLM_MAX_RETRIES,
    )
    with open(path, "rb") as clip:
        result: Any = client.audio.transcriptions.create(
            model=settings.LMO_STT_MODEL, file=(name, clip.read())
        )
    usage = getattr(result, "usage", None)
    tokens = {
        "prompt_tokens": _count(getattr(usage, "input_tokens", 0)),
        "completion_tokens": _count(getattr(usage, "output_tokens", 0)),
    }
    return str(getattr(result, "text", "") or "").strip(), tokens


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def _meter(message: Message, tokens: dict[str, int]) -> None:
    """A transcription is a model call of the chat page, under the speech-to-text model."""
    owner = message.conversation.owner
    record_usage(
        user_id=owner.pk,
        organisation_id=current_organisation_id(owner),
        model=settings.LMO_STT_MODEL,
        llm_calls=1,
        prompt_tokens=tokens["prompt_tokens"],
        completion_tokens=tokens["completion_tokens"],
    )


def transcribe_message(*, message_id: int) -> str:
    if not Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
        status=Message.Status.TRANSCRIBING
    ):
        return "skipped"
    message = Message.objects.select_related("conversation__owner").get(pk=message_id)
    try:
        text, tokens = _transcribe(
            message.audio.path, (message.audio.name or "voice").rsplit("/", 1)[-1]
        )
        _meter(message, tokens)
        error = "" if text else "No speech was recognised in the recording."
    except Exception as exc:
        log.warning("transcription failed: %s", exc)
        text, error = "", "The speech-to-text service failed; try again or type the message."
    with transaction.atomic():
        message.content = text[:20_000]
        if error:
            message.status = Message.Status.ERROR
            message.metadata = {**message.metadata, "error": error}
        else:
            message.status = Message.Status.SENT
        message.save()
        push_message(message)
        if not error:
            enqueue_answer_on_commit(message)
    return "error" if error else "transcribed"
