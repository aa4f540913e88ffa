from __future__ import annotations

from django.urls import path

from lmo.mcp_server import views

app_name = "mcp_server"

urlpatterns = [
    path("consent/<uuid:pk>/", views.consent, name="consent"),
]
