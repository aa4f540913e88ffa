"""Notifications, preferences and their delivery (live and e-mail)."""

from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from lmo.tabs import SettingsTab, register_settings_tab
        from notifications import socket
        from notifications.tab import notifications_context

        socket.register()
        register_settings_tab(
            SettingsTab(
                slug="notifications",
                label="Notifications",
                order=40,
                template="notifications/_settings_tab.html",
                context=notifications_context,
            )
        )
