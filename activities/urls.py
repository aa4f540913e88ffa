from __future__ import annotations

from django.urls import path

from activities.views import dashboard, export, imports, items, tracking

app_name = "activities"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("items/", dashboard.items, name="items"),
    path("add/", items.add, name="add"),
    path("<int:pk>/", items.detail, name="detail"),
    path("<int:pk>/edit/", items.edit, name="edit"),
    path("<int:pk>/status/", items.status, name="status"),
    path("export.csv", export.export_csv, name="export"),
    path("import/", imports.upload, name="import"),
    path("import/<uuid:pk>/confirm/", imports.confirm, name="import_confirm"),
    path("import/<uuid:pk>/cancel/", imports.cancel, name="import_cancel"),
    path("tracking/", tracking.save, name="tracking"),
    path("tracking/delete-all/", tracking.delete_all, name="delete_all"),
]
