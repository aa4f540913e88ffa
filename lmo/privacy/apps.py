from __future__ import annotations

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Export everything, delete everything (Settings -> Profile)."""

    name = "lmo.privacy"
    label = "privacy"
    verbose_name = "Your data"

    def ready(self) -> None:
        from lmo.privacy.tab import profile_context
        from lmo.tabs import SettingsTab, register_settings_tab

        register_settings_tab(
            SettingsTab(
                slug="profile",
                label="Profile",
                order=10,
                template="privacy/_profile_tab.html",
                context=profile_context,
            )
        )
