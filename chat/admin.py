from __future__ import annotations

from django.contrib import admin

from chat.models import Conversation, Message


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
    raw_id_fields = ("owner", "running")
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "conversation", "sender", "type", "status", "created_at")
    list_filter = ("sender", "type", "status", "created_at")
    search_fields = ("content", "client_id", "conversation__title", "conversation__owner__email")
    raw_id_fields = ("conversation", "parent", "answer_to")
    readonly_fields = ("created_at", "updated_at")
