from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from agent_bridge.models import Agent, AgentToken, CommandRun, Pairing


class TokenInline(admin.TabularInline):
    model = AgentToken
    extra = 0
    fields = ("prefix", "label", "created_at", "created_by", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # tokens are made in Settings → Apps (shown once there)


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "owner",
        "platform",
        "agent_version",
        "connected",
        "last_seen_at",
        "revoked_at",
    )
    list_filter = ("connected", "revoked_at")
    search_fields = ("name", "owner__email", "hostname")
    readonly_fields = (
        "id",
        "platform",
        "hostname",
        "agent_version",
        "protocol_version",
        "capabilities",
        "created_at",
        "last_seen_at",
        "connected",
        "channel_name",
        "connected_at",
        "disconnected_at",
    )
    inlines = [TokenInline]


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


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ("user_code", "name", "state", "created_at", "expires_at", "approved_by")
    list_filter = ("state",)
    readonly_fields = ("device_digest",)
