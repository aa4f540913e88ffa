from __future__ import annotations

from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = "Permissions"

    def ready(self) -> None:
        from lmo.tabs import SettingsTab, register_settings_tab

        register_settings_tab(
            SettingsTab(
                slug="permissions",
                label="Permissions",
                order=10,
                template="permissions/_settings_tab.html",
                context=lambda request: {},
            )
        )
