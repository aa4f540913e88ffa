from __future__ import annotations

from django.contrib import admin

from lmo.api.models import ApiKey, RequestLog


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "user",
        "organisation",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("organisation", "revoked_at", "expires_at")
    search_fields = ("name", "prefix", "user__email", "organisation__name")
    exclude = ("digest",)
    readonly_fields = ("prefix", "created_at", "last_used_at", "last_used_address")
    raw_id_fields = ("user", "organisation")
    list_select_related = ("user", "organisation")


@admin.register(RequestLog)
class RequestLogAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "method",
        "path",
        "status",
        "latency_ms",
        "key_prefix",
        "user",
        "organisation",
        "client_address",
    )
    list_filter = ("status", "method", "organisation", "at")
    search_fields = ("path", "key_prefix", "user__email")
    date_hierarchy = "at"
    list_select_related = ("user", "organisation")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
