"""The local agent's connection: wire protocol, devices, tokens and command runs."""

from __future__ import annotations

from django.apps import AppConfig


class AgentBridgeConfig(AppConfig):
    name = "agent_bridge"
    verbose_name = "Agent bridge"

    def ready(self) -> None:
        from agent_bridge.actions import dispatch
        from agent_bridge.tab import apps_context
        from agent_bridge.tools import machine_tools
        from chat.pipeline.tools import register_tool_provider
        from lmo.tabs import SettingsTab, register_settings_tab

        register_tool_provider(machine_tools)
        dispatch.register()
        register_settings_tab(
            SettingsTab(
                slug="apps",
                label="Apps",
                order=20,
                template="agent_bridge/_settings_tab.html",
                context=apps_context,
            )
        )
