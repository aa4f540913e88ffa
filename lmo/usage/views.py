"""The usage CSV (the same rows as Settings → Usage shows)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from lmo.csvexport import csv_response
from lmo.organisations.access import current_membership
from lmo.usage.access import usage_for_organisation, usage_for_user
from lmo.usage.charts import cost, key_label

HEADER = [
    "day",
    "organisation",
    "user",
    "key",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "llm_calls",
    "api_requests",
    "machine_commands",
    "estimated_cost",
]


@login_required
@require_GET
def export(request: HttpRequest) -> StreamingHttpResponse:
    me = current_membership(request.user)
    whole = me.can_manage and request.GET.get("of") == "organisation"
    rows = usage_for_organisation(me.organisation_id) if whole else usage_for_user(request.user)
    rows = rows.select_related("organisation", "user").order_by("day", "pk")

    def lines() -> Iterator[list[Any]]:
        yield HEADER
        for r in rows.iterator():
            estimate = cost(r.model, r.prompt_tokens, r.completion_tokens)
            yield [
                r.day.isoformat(),
                r.organisation.name,
                r.user.email,
                key_label(r.key_prefix),
                r.model,
                r.prompt_tokens,
                r.completion_tokens,
                r.llm_calls,
                r.api_requests,
                r.machine_commands,
                "" if estimate is None else f"{estimate:.4f}",
            ]

    return csv_response(lines(), "lmo-usage.csv")
