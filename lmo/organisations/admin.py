from __future__ import annotations

from django.contrib import admin
from django.db import models

from lmo.organisations.models import Invitation, Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "is_current", "joined_at")
    readonly_fields = ("joined_at",)
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "personal", "member_count", "llm_base_url", "has_key", "created_at")
    list_filter = ("personal", "created_at")
    search_fields = ("name", "memberships__user__email")
    # The encrypted key is not editable and not shown (never shown again, never logged).
    fields = ("name", "personal", "llm_base_url", "llm_model", "created_at")
    readonly_fields = ("created_at",)
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="members")
    def member_count(self, obj: Organisation) -> int:
        return obj.memberships.count()

    @admin.display(boolean=True, description="own LLM key")
    def has_key(self, obj: Organisation) -> bool:
        return obj.has_llm_api_key


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "is_current", "joined_at")
    list_filter = ("role", "organisation__personal")
    search_fields = ("user__email", "organisation__name")
    raw_id_fields = ("user", "organisation")
    list_select_related = ("user", "organisation")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "created_at", "expires_at", "accepted_at")
    list_filter = ("role", "created_at")
    search_fields = ("email", "organisation__name")
    # The link's token exists only in the e-mail; its digest is useless to show.
    exclude = ("digest",)
    readonly_fields = ("invited_by", "accepted_by", "accepted_at", "created_at")
    raw_id_fields = ("organisation",)
    list_select_related = ("organisation",)
