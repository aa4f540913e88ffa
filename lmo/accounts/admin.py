from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from lmo.accounts.models import BackupCode, BackupCodeDevice, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("email", "username", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "date_joined")
    search_fields = ("email", "username", "first_name", "last_name")
    ordering = ("-date_joined",)


class BackupCodeInline(admin.TabularInline):
    model = BackupCode
    fields = ("used_at",)
    readonly_fields = ("used_at",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BackupCodeDevice)
class BackupCodeDeviceAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "throttling_failure_count",
    )
    list_filter = ("confirmed",)
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    exclude = ("salt",)
    inlines = [BackupCodeInline]
