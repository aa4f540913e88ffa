"""CSV export of the filtered activities, streamed (any size, constant memory)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from activities.access import activities_for_user
from activities.filters import Filters
from lmo.csvexport import csv_response

COLUMNS = (
    "id",
    "type",
    "occurred_at",
    "application",
    "description",
    "amount",
    "currency",
    "category",
    "counterparty",
    "company",
    "role",
    "status",
    "tags",
    "source",
    "external_id",
    "details",
)


def _rows(qs: Any, tz: Any) -> Iterator[list[str]]:
    yield list(COLUMNS)
    for a in qs.prefetch_related("tags").order_by("-occurred_at", "-id").iterator(chunk_size=2000):
        yield list(
            (
                a.pk,
                a.type,
                a.occurred_at.astimezone(tz).isoformat(timespec="seconds"),
                a.application,
                a.description,
                a.amount,
                a.currency,
                a.category,
                a.counterparty,
                a.company,
                a.role,
                a.status,
                ",".join(a.tag_names),
                a.source,
                a.external_id,
                json.dumps(a.details, sort_keys=True, default=str),
            )
        )


@login_required
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    user: Any = request.user
    filters = Filters(request.GET, user.tzinfo)
    qs = filters.apply(activities_for_user(user))
    stamp = timezone.now().astimezone(user.tzinfo).strftime("%Y%m%d-%H%M")
    return csv_response(_rows(qs, user.tzinfo), f"lmo-activities-{stamp}.csv")
