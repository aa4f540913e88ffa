"""Activities (scopes ``activities:read`` and ``activities:write``): the dashboard's
filters, batches through the same ingestion action as the agent and imports, and the
spending summary."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from activities.access import activities_for_user
from activities.actions.ingest import ingest_activities
from activities.filters import Filters
from activities.models import Activity
from lmo.api.auth import require_scope
from lmo.api.models import Scope
from lmo.api.problems import Problem

router = Router(tags=["activities"])
MAX_BATCH = 1000
CENT = Decimal("0.01")


class ActivityOut(Schema):
    id: int
    external_id: str
    type: str
    occurred_at: datetime
    application: str
    description: str
    amount: Decimal | None
    currency: str
    category: str
    counterparty: str
    company: str
    role: str
    status: str
    source: str
    tags: list[str]


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_before: int | None


class ActivityFilters(Schema):
    type: list[str] = Field(default_factory=list)
    app: str = ""
    start: date | None = None
    end: date | None = None
    tag: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    currency: str = ""
    q: str = ""
    limit: int = Field(default=50, ge=1, le=500)
    before: int | None = None


class BatchIn(Schema):
    items: list[dict[str, Any]] = Field(
        description="Activities as the agent sends them: id, type, timestamp, description…"
    )


class ItemResult(Schema):
    id: str
    status: str
    reason: str = ""


class BatchOut(Schema):
    accepted: int
    duplicate: int
    rejected: int
    items: list[ItemResult]


class SpendingRow(Schema):
    currency: str
    category: str
    spent: Decimal
    income: Decimal
    count: int


def _filters(request: HttpRequest, params: ActivityFilters) -> Filters:
    raw: dict[str, Any] = {k: v for k, v in params.model_dump().items() if v not in (None, "")}
    query = {k: v for k, v in raw.items() if k not in ("limit", "before", "type")}
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for name, value in query.items():
        data[name] = str(value)
    data.setlist("type", list(params.type))
    filters = Filters(data, request.user.tzinfo)  # type: ignore[union-attr]
    if filters.form.errors:
        problems = "; ".join(
            f"{f}: {' '.join(str(m) for m in e)}" for f, e in filters.form.errors.items()
        )
        raise Problem(422, f"The filters are not valid: {problems}")
    return filters


def _out(activity: Activity) -> ActivityOut:
    return ActivityOut(
        id=activity.pk,
        external_id=activity.external_id,
        type=activity.type,
        occurred_at=activity.occurred_at,
        application=activity.application,
        description=activity.description,
        amount=activity.amount,
        currency=activity.currency,
        category=activity.category,
        counterparty=activity.counterparty,
        company=activity.company,
        role=activity.role,
        status=activity.status,
        source=activity.source,
        tags=sorted(t.name for t in activity.tags.all()),
    )


@router.get("/activities", response=ActivityPage, summary="List activities")
def list_activities(request: HttpRequest, params: Query[ActivityFilters]) -> ActivityPage:
    """Newest first, with the dashboard's filters; keyset-paged by ``before``."""
    require_scope(request, Scope.ACTIVITIES_READ)
    rows = _filters(request, params).apply(activities_for_user(request.user))
    if params.before is not None:
        rows = rows.filter(pk__lt=params.before)
    page = list(rows.order_by("-pk").prefetch_related("tags")[: params.limit + 1])
    more = len(page) > params.limit
    page = page[: params.limit]
    return ActivityPage(
        items=[_out(a) for a in page], next_before=page[-1].pk if more and page else None
    )


@router.post("/activities", response=BatchOut, summary="Add activities in a batch")
def add_activities(request: HttpRequest, payload: BatchIn) -> BatchOut:
    """Each item is answered in order: accepted, duplicate (its ``id`` is already
    stored: a retried batch adds nothing) or rejected with the reason."""
    require_scope(request, Scope.ACTIVITIES_WRITE)
    if not payload.items:
        raise Problem(422, "Send at least one item.")
    if len(payload.items) > MAX_BATCH:
        raise Problem(413, f"Send at most {MAX_BATCH} activities per request.")
    outcomes = ingest_activities(owner=request.user, items=payload.items, source="api")
    items = [ItemResult(**o.model_dump()) for o in outcomes]
    return BatchOut(
        accepted=sum(i.status == "accepted" for i in items),
        duplicate=sum(i.status == "duplicate" for i in items),
        rejected=sum(i.status == "rejected" for i in items),
        items=items,
    )


@router.get("/activities/spending", response=list[SpendingRow], summary="Spending by category")
def spending(request: HttpRequest, params: Query[ActivityFilters]) -> list[SpendingRow]:
    """Money out and in per currency and category, for the filtered activities."""
    require_scope(request, Scope.ACTIVITIES_READ)
    rows = _filters(request, params).apply(activities_for_user(request.user))
    rows = rows.filter(type="financial", amount__isnull=False)
    out: dict[tuple[str, str], SpendingRow] = {}
    for sign, part in (("spent", rows.filter(amount__lt=0)), ("income", rows.filter(amount__gt=0))):
        for row in part.values("currency", "category").annotate(total=Sum("amount"), n=Count("id")):
            key = (row["currency"], row["category"])
            entry = out.setdefault(
                key,
                SpendingRow(
                    currency=key[0], category=key[1], spent=CENT * 0, income=CENT * 0, count=0
                ),
            )
            total = Decimal(row["total"]).quantize(CENT)
            if sign == "spent":
                entry.spent = -total
            else:
                entry.income = total
            entry.count += row["n"]
    return sorted(out.values(), key=lambda r: (r.currency, -r.spent))
