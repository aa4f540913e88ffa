"""Operators see exports and deletions (state, progress, when), never an archive's content
and nothing to edit: the tasks own them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lmo.privacy.models import AccountDeletion, DataExport


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataExport)
class DataExportAdmin(_ReadOnly):
    list_display = ("owner", "state", "progress", "size", "created_at", "expires_at")
    list_filter = ("state",)
    search_fields = ("owner__email",)
    exclude = ("file",)
    list_select_related = ("owner",)


@admin.register(AccountDeletion)
class AccountDeletionAdmin(_ReadOnly):
    list_display = ("user_id", "state", "step", "attempts", "requested_at", "finished_at")
    list_filter = ("state",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record of a deletion in progress is how it resumes
