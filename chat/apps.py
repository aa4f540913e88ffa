"""Conversations with the assistant, the live chat and the LangGraph pipeline."""

from __future__ import annotations

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from chat import builtin_tools, notices, socket
        from notifications.handlers import register_handler

        socket.register()
        builtin_tools.register()
        register_handler(notices.RETRY_ANSWER, notices.retry)
