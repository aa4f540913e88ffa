"""Grants, permission requests and the audit trail: the one place that decides whether a command may run."""

from __future__ import annotations

from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = "Permissions"

    def ready(self) -> None:
        from lmo.tabs import SettingsTab, register_settings_tab
        from permissions import bench, notices, waits  # noqa: F401  (registering)
        from permissions.tab import permissions_context

        register_settings_tab(
            SettingsTab(
                slug="permissions",
                label="Permissions",
                order=10,
                template="permissions/_settings_tab.html",
                context=permissions_context,
            )
        )
