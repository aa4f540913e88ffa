from __future__ import annotations

from django.urls import path

from lmo.api import views

app_name = "api_keys"

urlpatterns = [
    path("create/", views.create, name="create"),
    path("<int:key_id>/revoke/", views.revoke, name="revoke"),
]
