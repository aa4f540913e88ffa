from __future__ import annotations

from django.apps import AppConfig


class UsageConfig(AppConfig):
    """Usage metering: tokens, model calls and API requests per day."""

    name = "lmo.usage"
    label = "usage"
    verbose_name = "Usage"

    def ready(self) -> None:
        from lmo.tabs import SettingsTab, register_settings_tab
        from lmo.usage.tab import tab_context

        register_settings_tab(
            SettingsTab(
                slug="usage",
                label="Usage",
                order=70,
                template="usage/_settings_tab.html",
                context=tab_context,
            )
        )
