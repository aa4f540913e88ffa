"""The local agent's connection: computers, tokens, pairing, presence, the wire protocol
and the consumer. Commands themselves belong to permissions."""

from __future__ import annotations

from django.apps import AppConfig


class AgentBridgeConfig(AppConfig):
    name = "agent_bridge"
    verbose_name = "Agent bridge"

    def ready(self) -> None:
        from agent_bridge.tab import apps_context
        from lmo.tabs import SettingsTab, register_settings_tab

        register_settings_tab(
            SettingsTab(
                slug="apps",
                label="Apps",
                order=20,
                template="agent_bridge/_settings_tab.html",
                context=apps_context,
            )
        )
