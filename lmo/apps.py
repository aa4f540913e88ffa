from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class LMOConfig(AppConfig):
    """The project package as an app: shell pages, health, the live socket."""

    name = "lmo"
    label = "lmo"
    verbose_name = "LMO"

    def ready(self) -> None:
        from lmo.live import session_end
        from lmo.live.consumers import register_ping

        register_ping()
        session_end.connect()


class LMOAdminConfig(AdminConfig):
    """The Django admin, behind the same login and second factor as the app."""

    default_site = "lmo.admin_site.LMOAdminSite"
