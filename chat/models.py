"""Conversations and their messages (threads are messages with a parent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse

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
    # The assistant message being produced right now; answers run one at a time per
    # conversation (they share one LangGraph thread), claimed with a conditional UPDATE.
    running = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

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
        return f"chat.conversation.{self.pk}"


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
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    metadata = models.JSONField(default=dict, blank=True)
    client_id = models.CharField(max_length=64, blank=True)
    # Assistant messages: "wait:<key>" while the run waits for an outside event,
    # "resume:<token>" once resumed (claimed by exactly one task), else empty.
    run_state = models.CharField(max_length=200, blank=True)
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
        return f"msg-{self.pk}"

    @property
    def is_assistant(self) -> bool:
        return self.sender == self.Sender.ASSISTANT

    @property
    def is_running(self) -> bool:
        return self.is_assistant and self.status == self.Status.SENDING

    @property
    def stopped(self) -> bool:
        return bool(self.metadata.get("stopped"))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """Rich content returned by tools (charts, tables, file lists)."""
        value = self.metadata.get("blocks")
        return value if isinstance(value, list) else []
