from __future__ import annotations

from django.urls import path

from lmo.accounts import views

urlpatterns = [
    path("verify/", views.verify, name="mfa_verify"),
    path("setup/", views.setup, name="mfa_setup"),
    path("backup-codes/", views.backup_codes, name="mfa_backup_codes"),
    path("backup-codes/new/", views.regenerate_backup_codes, name="mfa_backup_codes_regenerate"),
    path("remove/", views.remove, name="mfa_remove"),
]
