from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from agent_bridge.models import Agent, AgentToken, Pairing


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


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ("user_code", "name", "state", "created_at", "expires_at", "approved_by")
    list_filter = ("state",)
    readonly_fields = ("device_digest",)
