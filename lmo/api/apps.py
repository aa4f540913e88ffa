from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The public API (/api/v1/), its keys and its request log: a front door over the
    same actions the pages use."""

    name = "lmo.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from lmo.api.tab import tab_context
        from lmo.tabs import SettingsTab, register_settings_tab

        register_settings_tab(
            SettingsTab(
                slug="api",
                label="API",
                order=65,
                template="api/_settings_tab.html",
                context=tab_context,
            )
        )
