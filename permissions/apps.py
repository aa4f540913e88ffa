"""The life of a machine command: may it run (grants, requests), the run itself and its
sealed audit, and the one port back into whoever waits for it."""

from __future__ import annotations

from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = "Permissions"

    def ready(self) -> None:
        from lmo.tabs import SettingsTab, register_settings_tab
        from notifications.handlers import register_handler
        from permissions import handlers
        from permissions.tab import permissions_context

        register_handler(handlers.DECIDE, handlers.decide)
        register_settings_tab(
            SettingsTab(
                slug="permissions",
                label="Permissions",
                order=10,
                template="permissions/_settings_tab.html",
                context=permissions_context,
            )
        )
