from __future__ import annotations

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    """Organisations (tenants), their members, roles, invitations and settings."""

    name = "lmo.organisations"
    label = "organisations"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from lmo.crypto import register_encrypted_field
        from lmo.organisations import signals
        from lmo.organisations.tab import tab_context
        from lmo.tabs import SettingsTab, register_settings_tab

        signals.connect()
        register_encrypted_field("organisations.Organisation", "llm_api_key_encrypted")
        register_settings_tab(
            SettingsTab(
                slug="organisation",
                label="Organisation",
                order=60,
                template="organisations/_settings_tab.html",
                context=tab_context,
            )
        )
