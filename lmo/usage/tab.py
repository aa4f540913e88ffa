"""Settings → Usage: your figures, and your organisation's for its owners and admins
(figures per member, never content)."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.http import HttpRequest

from lmo.organisations.access import current_membership
from lmo.usage.access import month_start, usage_for_organisation, usage_for_user
from lmo.usage.charts import usage_panel


def tab_context(request: HttpRequest) -> dict[str, Any]:
    me = current_membership(request.user)
    whole = me.can_manage and request.GET.get("of") == "organisation"
    rows = usage_for_organisation(me.organisation_id) if whole else usage_for_user(request.user)
    context: dict[str, Any] = {
        "me": me,
        "whole_organisation": whole,
        "usage": usage_panel(rows),
    }
    if whole:
        context["per_member"] = list(
            rows.filter(day__gte=month_start())
            .values("user__email")
            .annotate(
                p=Sum("prompt_tokens"),
                c=Sum("completion_tokens"),
                a=Sum("api_requests"),
                m=Sum("machine_commands"),
            )
            .order_by("user__email")
        )
    return context
