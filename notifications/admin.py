from __future__ import annotations

from django.contrib import admin

from notifications.models import CategoryPreference, Delivery, Notification, NotificationSettings


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ("channel", "state", "attempts", "sent_at", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "category", "priority", "created_at", "read_at", "acted_at")
    list_filter = ("category", "priority", "in_app", "created_at")
    search_fields = ("title", "body", "owner__email", "dedupe_key")
    raw_id_fields = ("owner",)
    readonly_fields = ("created_at", "acted_at", "acted_key", "outcome")
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notification", "channel", "state", "attempts", "sent_at", "created_at")
    list_filter = ("channel", "state")
    search_fields = ("notification__title", "notification__owner__email", "error")
    raw_id_fields = ("notification",)


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ("owner", "quiet_start", "quiet_end", "urgent_breaks_quiet")
    search_fields = ("owner__email",)
    raw_id_fields = ("owner",)


@admin.register(CategoryPreference)
class CategoryPreferenceAdmin(admin.ModelAdmin):
    list_display = ("owner", "category", "in_app", "email", "email_min_priority")
    list_filter = ("category", "in_app", "email")
    search_fields = ("owner__email",)
    raw_id_fields = ("owner",)
