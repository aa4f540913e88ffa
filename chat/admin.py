from __future__ import annotations

from django.contrib import admin

from chat.models import AssistantRun, Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("created_at", "sender", "type", "status", "parent", "content")
    readonly_fields = ("created_at",)
    extra = 0
    show_change_link = True


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "owner", "archived", "last_message_at", "created_at")
    list_filter = ("archived", "created_at")
    search_fields = ("title", "owner__email")
    raw_id_fields = ("owner",)
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "conversation", "sender", "type", "status", "created_at")
    list_filter = ("sender", "type", "status", "created_at")
    search_fields = ("content", "client_id", "conversation__title", "conversation__owner__email")
    raw_id_fields = ("conversation", "parent", "answer_to")
    readonly_fields = ("created_at", "updated_at")


@admin.register(AssistantRun)
class AssistantRunAdmin(admin.ModelAdmin):
    """Operators see each answer's run (what it waits for, whether Stop was asked)."""

    list_display = ("answer", "conversation", "state", "origin", "wait_key", "updated_at")
    list_filter = ("state", "origin")
    raw_id_fields = ("conversation", "answer")
    readonly_fields = ("created_at", "updated_at", "finished_at")
