"""Conversations and their messages (threads are messages with a parent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from lmo.live.groups import conversation_group

MAX_MESSAGE_CHARS = 20_000
TITLE_CHARS = 80


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def owned_by(self, user: Any) -> ConversationQuerySet:
        return self.filter(owner=user)

    def active(self) -> ConversationQuerySet:
        return self.filter(archived=False)

    def search(self, query: str) -> ConversationQuerySet:
        """Title or any message's content contains ``query`` (case-insensitive)."""
        query = query.strip()
        if not query:
            return self
        matching = Message.objects.filter(content__icontains=query).values("conversation_id")
        return self.filter(Q(title__icontains=query) | Q(pk__in=matching))


class Conversation(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    title = models.CharField(max_length=200, blank=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ("-last_message_at", "-created_at")
        indexes = [models.Index(fields=["owner", "archived", "-last_message_at"])]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("chat:conversation", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title or "New conversation"

    @property
    def thread_id(self) -> str:
        """The LangGraph checkpoint thread of this conversation."""
        return f"conversation-{self.pk}"

    @property
    def group(self) -> str:
        """The channel-layer group of the pages showing this conversation."""
        return conversation_group(self.pk)

    @property
    def dom_id(self) -> str:
        """Its sidebar item's id; its parts on the page are ``<dom_id>-messages``,
        ``<dom_id>-typing``."""
        return f"conversation-{self.pk}"


class MessageQuerySet(models.QuerySet["Message"]):
    def top_level(self) -> MessageQuerySet:
        return self.filter(parent__isnull=True)

    def with_reply_counts(self) -> MessageQuerySet:
        return self.annotate(n_replies=Count("replies"))

    def visible_to(self, user: Any) -> MessageQuerySet:
        return self.filter(conversation__owner=user)


class Message(models.Model):
    class Sender(models.TextChoices):
        USER = "user", "User"
        ASSISTANT = "assistant", "Assistant"
        SYSTEM = "system", "System"

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        VOICE = "voice", "Voice"
        COMMAND = "command", "Command"
        SYSTEM = "system", "System"

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        READ = "read", "Read"
        ERROR = "error", "Error"
        TRANSCRIBING = "transcribing", "Transcribing"  # a voice message, being turned into text

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The user message an assistant message answers: one answer per message, enforced by
    # the database so a redelivered task can never answer twice.
    answer_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="answer"
    )
    sender = models.CharField(max_length=10, choices=Sender.choices)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.TEXT)
    content = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT)
    metadata = models.JSONField(default=dict, blank=True)
    client_id = models.CharField(max_length=64, blank=True)
    audio = models.FileField(upload_to="voice/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "client_id"],
                condition=~Q(client_id=""),
                name="chat_message_client_id_once",
            )
        ]
        indexes = [models.Index(fields=["conversation", "parent", "-id"])]

    def __str__(self) -> str:
        return f"{self.sender}: {self.content[:60]}"

    @property
    def dom_id(self) -> str:
        """Its list item's id; its parts are ``<dom_id>-stream``, ``-phase``, ``-status``,
        ``-replies`` (the reply link) and ``-thread`` (its thread's replies)."""
        return f"msg-{self.pk}"

    @property
    def is_assistant(self) -> bool:
        return self.sender == self.Sender.ASSISTANT

    @property
    def is_running(self) -> bool:
        return self.is_assistant and self.status == self.Status.SENDING

    @property
    def waiting(self) -> dict[str, Any] | None:
        """What the run producing this answer waits for (its prompt, a request...), if it
        is parked."""
        run: AssistantRun | None = getattr(self, "run", None)
        if run is None or run.state != AssistantRun.State.WAITING:
            return None
        return run.waiting

    @property
    def stopped(self) -> bool:
        return bool(self.metadata.get("stopped"))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """Rich content returned by tools (charts, tables, file lists)."""
        value = self.metadata.get("blocks")
        return value if isinstance(value, list) else []


class AssistantRun(models.Model):
    """The assistant producing one answer. Its life is a state, and every change of it is a
    conditional UPDATE (chat.actions.runs), so of two workers, a worker and Stop, or two
    resumers, exactly one wins:

    running → waiting (parked at an ``interrupt()``: for a permission, a computer's
    result...) → resuming (one task holds ``token``) → running → … → finished.

    Answers in one conversation run one at a time (they share a LangGraph thread): the
    database allows one unfinished run per conversation. A run is started by whoever posts
    the question: the chat page, or a program through the API (``origin``)."""

    class State(models.TextChoices):
        RUNNING = "running"
        WAITING = "waiting"
        RESUMING = "resuming"
        FINISHED = "finished"

    class Origin(models.TextChoices):
        CHAT = "chat", "Chat page"
        API = "api", "API"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="assistant_runs"
    )
    answer = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="run")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.CHAT)
    # The organisation it works in (its model endpoint, later its usage and quota).
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # While waiting: the key it waits for (the resume must name it) and what it shows.
    wait_key = models.CharField(max_length=200, blank=True)
    waiting = models.JSONField(null=True, blank=True)
    # While resuming: the task that continues it holds this.
    token = models.CharField(max_length=32, blank=True)
    stop_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by every transition: a running run older than the task time limit was left by a
    # dead worker and may be taken over.
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"],
                condition=~Q(state="finished"),
                name="chat_one_unfinished_run_per_conversation",
            )
        ]
        indexes = [
            models.Index(
                fields=["conversation", "wait_key"],
                condition=Q(state="waiting"),
                name="chat_run_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"run of message {self.answer_id} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state == self.State.FINISHED
