"""Activities captured from the user's machine, imports and the dashboard."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _tracking_config(agent: Any) -> dict[str, Any]:
    from activities.actions.ingest import tracking_for

    return tracking_for(agent.owner).agent_config()


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        from activities import tools
        from activities.actions.ingest import ingest_from_agent
        from activities.views.tracking import tab_context
        from agent_bridge.agent_config import register_config_source
        from agent_bridge.ingest import register_ingestor
        from lmo.tabs import SettingsTab, register_settings_tab

        register_ingestor(ingest_from_agent)
        register_config_source(_tracking_config)
        tools.register()
        register_settings_tab(
            SettingsTab(
                slug="tracking",
                label="Tracking",
                order=30,
                template="activities/_settings_tab.html",
                context=tab_context,
            )
        )
