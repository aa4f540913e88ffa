"""The dashboard's charts: aggregated in SQL (a few rows per chart whatever the data
size), then drawn as Plotly figures here; the browser gets only the figure."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, Trunc
from django.utils import timezone

from activities.filters import Filters
from activities.models import ActivityQuerySet, ActivityType, JobStatus

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
OPEN_STATUSES = (JobStatus.APPLIED, JobStatus.SCREENING, JobStatus.INTERVIEW, JobStatus.OFFER)
COLOURS = {"spent": "#c2410c", "income": "#15803d", "net": "#1d4ed8"}


@dataclass
class Chart:
    slug: str
    title: str
    figure: dict[str, Any] | None  # None: nothing to draw (``empty`` says why)
    empty: str = ""


@dataclass
class Panel:
    charts: list[Chart]
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def figure_json(fig: go.Figure, height: int = 300) -> dict[str, Any]:
    fig.update_layout(
        height=height,
        margin={"l": 48, "r": 12, "t": 12, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    result: dict[str, Any] = json.loads(fig.to_json())
    return result


def _money(value: Any, currency: str) -> str:
    amount = value or Decimal(0)
    return f"{amount:,.2f} {currency}".strip()


def _bucket_label(value: Any, by: str) -> str:
    if by == "month":
        return f"{value:%Y-%m}"
    return f"{value:%Y-%m-%d}"


def financial(qs: ActivityQuerySet, filters: Filters) -> Panel:
    tz = filters.tz
    base = filters.apply(qs.financial())
    currencies = list(
        base.values("currency").annotate(n=Count("id")).order_by("-n", "currency")[:10]
    )
    if not currencies:
        return Panel(
            charts=[Chart("spending", "Spending", None, "No transactions match these filters.")]
        )
    currency = filters.currency or currencies[0]["currency"]
    note = ""
    if not filters.currency and len(currencies) > 1:
        others = sum(c["n"] for c in currencies[1:])
        note = (
            f"Amounts in {currency or 'no currency'}; {others} transaction(s) in other currencies "
            "are not counted here: pick a currency in the filters to see them."
        )
        base = base.filter(currency=currency)
    spent = Sum("amount", filter=Q(amount__lt=0))
    earned = Sum("amount", filter=Q(amount__gt=0))
    rows = list(
        base.annotate(bucket=Trunc("occurred_at", filters.by, tzinfo=tz))
        .values("bucket")
        .annotate(spent=spent, income=earned, n=Count("id"))
        .order_by("bucket")
    )
    x = [_bucket_label(r["bucket"], filters.by) for r in rows]
    out = [-(r["spent"] or 0) for r in rows]
    into = [r["income"] or 0 for r in rows]
    over_time = go.Figure(go.Bar(x=x, y=out, name="Spent", marker_color=COLOURS["spent"]))
    over_time.update_layout(yaxis_title=currency, xaxis_type="category")
    versus = go.Figure(
        [
            go.Bar(x=x, y=into, name="Income", marker_color=COLOURS["income"]),
            go.Bar(x=x, y=out, name="Spending", marker_color=COLOURS["spent"]),
            go.Scatter(
                x=x,
                y=[i - o for i, o in zip(into, out, strict=True)],
                name="Net",
                mode="lines+markers",
                line_color=COLOURS["net"],
            ),
        ]
    )
    versus.update_layout(barmode="group", yaxis_title=currency, xaxis_type="category")
    outgoing = base.filter(amount__lt=0)
    categories = list(
        outgoing.values("category")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by("total")[:12]
    )
    merchants = list(
        outgoing.exclude(counterparty="")
        .values("counterparty")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by("total")[:10]
    )
    by_category = go.Figure(
        go.Bar(
            x=[-c["total"] for c in reversed(categories)],
            y=[c["category"] or "uncategorised" for c in reversed(categories)],
            orientation="h",
            marker_color=COLOURS["spent"],
            customdata=[c["n"] for c in reversed(categories)],
            hovertemplate="%{y}: %{x:,.2f} (%{customdata} transactions)<extra></extra>",
        )
    )
    by_category.update_layout(xaxis_title=currency)
    top_merchants = go.Figure(
        go.Bar(
            x=[-m["total"] for m in reversed(merchants)],
            y=[m["counterparty"][:40] for m in reversed(merchants)],
            orientation="h",
            marker_color="#7c3aed",
            customdata=[m["n"] for m in reversed(merchants)],
            hovertemplate="%{y}: %{x:,.2f} (%{customdata} transactions)<extra></extra>",
        )
    )
    top_merchants.update_layout(xaxis_title=currency)
    total_out = sum(out, Decimal(0))
    total_in = sum(into, Decimal(0))
    charts = [
        Chart("spending-over-time", f"Spending per {filters.by}", figure_json(over_time)),
        Chart(
            "by-category",
            "Spending by category",
            figure_json(by_category) if categories else None,
            "No spending.",
        ),
        Chart(
            "top-merchants",
            "Top merchants",
            figure_json(top_merchants) if merchants else None,
            "No spending.",
        ),
        Chart("income-vs-spending", "Income vs spending", figure_json(versus)),
    ]
    facts = [
        ("Spent", _money(total_out, currency)),
        ("Income", _money(total_in, currency)),
        ("Net", _money(total_in - total_out, currency)),
        ("Transactions", f"{sum(r['n'] for r in rows):,}"),
    ]
    return Panel(charts=charts, facts=facts, note=note, extra={"currency": currency})


def jobs(qs: ActivityQuerySet, filters: Filters) -> Panel:
    base = filters.apply(qs.jobs())
    counts = dict(base.values_list("status").annotate(n=Count("id")).order_by())
    if not counts:
        return Panel(
            charts=[
                Chart(
                    "pipeline", "Job applications", None, "No job applications match these filters."
                )
            ]
        )
    order = [s for s in JobStatus if counts.get(s.value)]
    pipeline = go.Figure(
        go.Funnel(
            y=[s.label for s in order],
            x=[counts[s.value] for s in order],
            marker_color="#1d4ed8",
        )
    )
    weekly = list(
        base.annotate(week=Trunc("occurred_at", "week", tzinfo=filters.tz))
        .values("week")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    per_week = go.Figure(
        go.Bar(
            x=[f"{w['week']:%Y-%m-%d}" for w in weekly],
            y=[w["n"] for w in weekly],
            marker_color="#0e7490",
        )
    )
    per_week.update_layout(xaxis_type="category", yaxis_title="applications")
    now = timezone.now()
    stale = list(base.filter(status__in=OPEN_STATUSES).order_by("status_changed_at", "id")[:15])
    for job in stale:
        changed = job.status_changed_at or job.occurred_at
        job.days_since_update = (now - changed).days  # type: ignore[attr-defined]
    facts = [
        ("Applications", f"{sum(counts.values()):,}"),
        ("Open", f"{sum(counts.get(s.value, 0) for s in OPEN_STATUSES):,}"),
        ("Interviews", f"{counts.get(JobStatus.INTERVIEW, 0):,}"),
        ("Offers", f"{counts.get(JobStatus.OFFER, 0) + counts.get(JobStatus.ACCEPTED, 0):,}"),
    ]
    charts = [
        Chart("pipeline", "Pipeline by status", figure_json(pipeline)),
        Chart("applications-per-week", "Applications per week", figure_json(per_week)),
    ]
    return Panel(charts=charts, facts=facts, extra={"stale": stale, "statuses": JobStatus.choices})


def timeline(qs: ActivityQuerySet, filters: Filters) -> Panel:
    rows = list(
        filters.apply(qs)
        .annotate(bucket=Trunc("occurred_at", filters.by, tzinfo=filters.tz))
        .values("bucket", "type")
        .annotate(n=Count("id"))
        .order_by("bucket")
    )
    if not rows:
        return Panel(
            charts=[Chart("timeline", "All activities", None, "No activities match these filters.")]
        )
    labels = sorted({_bucket_label(r["bucket"], filters.by) for r in rows})
    traces = []
    for type_ in ActivityType:
        counts = {
            _bucket_label(r["bucket"], filters.by): r["n"] for r in rows if r["type"] == type_.value
        }
        if counts:
            traces.append(go.Bar(x=labels, y=[counts.get(x, 0) for x in labels], name=type_.label))
    fig = go.Figure(traces)
    fig.update_layout(barmode="stack", xaxis_type="category", yaxis_title="activities")
    total = sum(r["n"] for r in rows)
    return Panel(
        charts=[Chart("timeline", f"Activities per {filters.by}", figure_json(fig, 340))],
        facts=[("Activities", f"{total:,}")],
    )


def heatmap(qs: ActivityQuerySet, filters: Filters) -> Panel:
    tz = filters.tz
    rows = list(
        filters.apply(qs)
        .annotate(
            day=ExtractIsoWeekDay("occurred_at", tzinfo=tz),
            hour=ExtractHour("occurred_at", tzinfo=tz),
        )
        .values("day", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    if not rows:
        return Panel(
            charts=[
                Chart("heatmap", "When you are active", None, "No activities match these filters.")
            ]
        )
    grid = [[0] * 24 for _ in WEEKDAYS]
    for r in rows:
        grid[r["day"] - 1][r["hour"]] = r["n"]
    fig = go.Figure(
        go.Heatmap(
            z=grid,
            x=[f"{h:02d}:00" for h in range(24)],
            y=list(WEEKDAYS),
            colorscale="Blues",
            hovertemplate="%{y} %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(yaxis_autorange="reversed")
    busiest = max(rows, key=lambda r: r["n"])
    return Panel(
        charts=[Chart("heatmap", "Activity by hour and weekday", figure_json(fig, 320))],
        facts=[("Busiest", f"{WEEKDAYS[busiest['day'] - 1]} {busiest['hour']:02d}:00")],
    )


PANELS = {"financial": financial, "jobs": jobs, "timeline": timeline, "time": heatmap}


def panel(qs: ActivityQuerySet, filters: Filters) -> Panel:
    return PANELS[filters.view](qs, filters)
