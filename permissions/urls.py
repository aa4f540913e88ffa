from __future__ import annotations

from django.urls import path

from permissions import views

app_name = "permissions"
urlpatterns = [
    path("requests/<uuid:pk>/decide/", views.decide, name="decide"),
    path("grants/<uuid:pk>/revoke/", views.revoke, name="revoke"),
    path("grants/<uuid:pk>/expiry/", views.expiry, name="expiry"),
    path("revoke-all/", views.revoke_all, name="revoke_all"),
    path("block/", views.block, name="block"),
    path("audit/", views.audit, name="audit"),
    path("audit.csv", views.audit_csv, name="audit_csv"),
    path("files/<uuid:pk>/", views.run_file, name="run_file"),
]
