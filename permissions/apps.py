"""Grants, permission requests and the audit trail: the one place that decides whether a command may run."""

from __future__ import annotations

from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = "Permissions"

    def ready(self) -> None:
        from lmo.tabs import SettingsTab, register_settings_tab
        from notifications.handlers import register_handler
        from permissions import notices, waits
        from permissions.tab import permissions_context

        register_handler(notices.DECIDE, notices.decide)
        waits.register()

        register_settings_tab(
            SettingsTab(
                slug="permissions",
                label="Permissions",
                order=10,
                template="permissions/_settings_tab.html",
                context=permissions_context,
            )
        )
