"""Conversations with the assistant, the live chat and the LangGraph pipeline."""

from __future__ import annotations

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from chat import builtin_tools, notices, socket
        from chat.machine.dispatch import resume_settled
        from chat.machine.tools import machine_tools
        from chat.pipeline.tools import register_tool_provider
        from notifications.handlers import register_handler
        from permissions.waiting import on_settled

        socket.register()
        builtin_tools.register()
        register_tool_provider(machine_tools)
        on_settled(resume_settled)
        register_handler(notices.RETRY_ANSWER, notices.retry)
