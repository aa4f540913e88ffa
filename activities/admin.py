from __future__ import annotations

from django.contrib import admin

from activities.models import Activity, PendingImport, StatusChange, Tag, TrackingPreference


class TagInline(admin.TabularInline):
    model = Tag
    extra = 0


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "owner",
        "type",
        "application",
        "description",
        "amount",
        "currency",
        "status",
        "source",
    )
    list_filter = ("type", "source", "status")
    search_fields = (
        "description",
        "application",
        "counterparty",
        "company",
        "role",
        "external_id",
        "owner__email",
    )
    date_hierarchy = "occurred_at"
    raw_id_fields = ("owner", "agent")
    readonly_fields = ("created_at", "updated_at")
    inlines = (TagInline, StatusChangeInline)
    list_select_related = ("owner",)
    show_full_result_count = False


@admin.register(TrackingPreference)
class TrackingPreferenceAdmin(admin.ModelAdmin):
    list_display = ("owner", "disabled_types", "retention_days", "updated_at")
    raw_id_fields = ("owner",)


@admin.register(PendingImport)
class PendingImportAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "created_at")
    exclude = ("data",)
    raw_id_fields = ("owner",)
