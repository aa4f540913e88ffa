from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, the second factor (TOTP + hashed backup codes) and session rules."""

    name = "lmo.accounts"
    label = "accounts"
    verbose_name = "Accounts and security"

    def ready(self) -> None:
        from lmo.accounts import notices, signals
        from lmo.accounts.tab import security_context
        from lmo.tabs import SettingsTab, register_settings_tab
        from notifications.handlers import register_handler

        signals.connect()
        register_handler(notices.END_SESSION, notices.end_session)

        register_settings_tab(
            SettingsTab(
                slug="security",
                label="Security",
                order=50,
                template="accounts/_security_tab.html",
                context=security_context,
            )
        )
