"""Operators see grants, requests and command runs (the audit log); they change nothing
here (a user's permissions are theirs to give: revoking is done by the user, or by
deactivating the account)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from permissions.models import CommandRun, Grant, PermissionRequest


class _ReadOnly(admin.ModelAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Grant)
class GrantAdmin(_ReadOnly):
    list_display = (
        "created_at",
        "owner",
        "agent",
        "effect",
        "target",
        "action",
        "scope",
        "kind",
        "expires_at",
        "revoked_at",
        "consumed_at",
    )
    list_filter = ("effect", "kind", "target", "origin")
    search_fields = ("owner__email", "target", "action", "scope")
    list_select_related = ("owner", "agent")


@admin.register(PermissionRequest)
class PermissionRequestAdmin(_ReadOnly):
    list_display = ("created_at", "owner", "agent", "target", "action", "status", "choice")
    list_filter = ("status", "target")
    search_fields = ("id", "owner__email", "target", "action")
    list_select_related = ("owner", "agent")


@admin.register(CommandRun)
class CommandRunAdmin(admin.ModelAdmin):
    """The audit log for operators: read-only (records are append-only and sealed)."""

    list_display = (
        "created_at",
        "owner",
        "agent",
        "target",
        "action",
        "state",
        "grant",
        "decided_by",
        "duration_ms",
        "audit_seq",
    )
    list_filter = ("state", "target")
    search_fields = ("id", "agent__name", "agent__owner__email", "action")
    date_hierarchy = "created_at"
    list_select_related = ("agent", "owner", "grant", "decided_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in CommandRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # commands come from the assistant, through dispatch

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
