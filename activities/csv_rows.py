"""Activities as CSV rows (the dashboard's export and the data export's ``activities.csv``):
read in chunks, one row at a time, so any number of them takes constant memory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

ACTIVITY_COLUMNS = (
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


def activity_rows(qs: Any, tz: Any) -> Iterator[list[str]]:
    yield list(ACTIVITY_COLUMNS)
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
