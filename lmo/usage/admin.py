from __future__ import annotations

from django.contrib import admin

from lmo.usage.models import UsageDay


@admin.register(UsageDay)
class UsageDayAdmin(admin.ModelAdmin):
    list_display = (
        "day",
        "organisation",
        "user",
        "key_prefix",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "llm_calls",
        "api_requests",
        "machine_commands",
    )
    list_filter = ("day", "organisation", "model")
    search_fields = ("user__email", "organisation__name", "key_prefix", "model")
    date_hierarchy = "day"
    list_select_related = ("user", "organisation")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
