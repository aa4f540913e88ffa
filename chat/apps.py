"""Conversations with the assistant, the live chat and the LangGraph pipeline."""

from __future__ import annotations

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from chat import bench, builtin_tools, notices, socket  # noqa: F401  (registering)

        socket.register()
        builtin_tools.register()
