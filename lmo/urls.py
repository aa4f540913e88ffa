from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from lmo import views
from lmo.api.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/<slug:tab>/", views.settings_page, name="settings_tab"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/mfa/", include("lmo.accounts.urls")),
    path("chat/", include("chat.urls")),
    path("dashboard/", include("activities.urls")),
    path("notifications/", include("notifications.urls")),
    path("permissions/", include("permissions.urls")),
    path("apps/", include("agent_bridge.urls")),
    path("organisations/", include("lmo.organisations.urls")),
    path("api-keys/", include("lmo.api.urls")),
    path("oauth/", include("lmo.mcp_server.urls")),
    path("usage/", include("lmo.usage.urls")),
    path("privacy/", include("lmo.privacy.urls")),
    path("api/v1/", api.urls),
]
