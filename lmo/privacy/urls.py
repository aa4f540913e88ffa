from __future__ import annotations

from django.urls import path

from lmo.privacy import views

app_name = "privacy"
urlpatterns = [
    path("export/", views.start_export, name="export"),
    path("export/<str:token>/", views.download, name="download"),
    path("delete/", views.delete_account, name="delete"),
    path("deleted/", views.deleted, name="deleted"),
]
