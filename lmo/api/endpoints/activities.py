"""Activities (scopes ``activities:read`` and ``activities:write``): the dashboard's
filters, batches through the same ingestion action as the agent and imports, and the
spending summary."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

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
from lmo.api.schemas import MAX_AMOUNT, MAX_ID

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


ActivityType = Literal["financial", "job", "browser", "system", "other"]


class ActivityFilters(Schema):
    type: list[ActivityType] = Field(default_factory=list)
    app: str = Field(default="", max_length=120)
    start: date | None = None
    end: date | None = None
    tag: str = Field(default="", max_length=40)
    # Rounded to cents.
    min: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    max: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    currency: str = Field(default="", max_length=3)
    q: str = Field(default="", max_length=200)
    limit: int = Field(default=50, ge=1, le=500)
    before: int | None = Field(default=None, ge=1, le=MAX_ID)

    def is_empty_range(self) -> bool:
        """A range that ends before it starts holds nothing (not an error)."""
        dates = self.start is not None and self.end is not None and self.start > self.end
        amounts = self.min is not None and self.max is not None and self.min > self.max
        return dates or amounts


class BatchIn(Schema):
    items: list[dict[str, Any]] = Field(
        min_length=1,
        description="Activities as the agent sends them: id, type, timestamp, description… "
        f"(at most {MAX_BATCH} per request: more is 413).",
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


def _filters(request: HttpRequest, params: ActivityFilters) -> Filters | None:
    """The dashboard's filters; None for an empty range."""
    if params.is_empty_range():
        return None
    raw: dict[str, Any] = {k: v for k, v in params.model_dump().items() if v not in (None, "")}
    query = {k: v for k, v in raw.items() if k not in ("limit", "before", "type")}
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for name, value in query.items():
        if isinstance(value, float):
            value = Decimal(str(value)).quantize(CENT)
        # NUL is not text any database keeps: searching for it finds what the rest finds.
        data[name] = str(value).replace("\x00", "")
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
    filters = _filters(request, params)
    if filters is None:
        return ActivityPage(items=[], next_before=None)
    rows = filters.apply(activities_for_user(request.user))
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
    filters = _filters(request, params)
    if filters is None:
        return []
    rows = filters.apply(activities_for_user(request.user))
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
