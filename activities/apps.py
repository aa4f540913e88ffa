from __future__ import annotations

from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        from lmo.tabs import SettingsTab, register_settings_tab

        register_settings_tab(
            SettingsTab(
                slug="tracking",
                label="Tracking",
                order=30,
                template="activities/_settings_tab.html",
                context=lambda request: {},
            )
        )
