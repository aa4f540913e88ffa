from __future__ import annotations

from django.urls import path

from lmo.usage import views

app_name = "usage"

urlpatterns = [path("export.csv", views.export, name="export")]
