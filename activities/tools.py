"""The assistant's tools over activities: search, spending (with a chart), job
applications, and recording an activity from the chat."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

import plotly.graph_objects as go
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from activities.access import activities_for_user
from activities.actions.edit import ActivityRefused, record_activity
from activities.charts import figure_json
from activities.models import JobStatus
from chat.pipeline.tools import Tool, ToolContext, ToolError, ToolResult, register_tool

Period = Literal[
    "today",
    "yesterday",
    "this week",
    "last week",
    "this month",
    "last month",
    "this year",
    "last year",
    "last 30 days",
    "last 90 days",
]


class SearchArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(default="", max_length=200, description="Words to look for.")
    type: Literal["", "financial", "job", "browser", "system", "other"] = ""
    days: int = Field(default=90, ge=1, le=3650, description="How many days back.")


class SpendingArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str = Field(default="", max_length=64, description="e.g. groceries; empty: all.")
    period: Period = "last 30 days"


class JobsArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal[
        "", "applied", "screening", "interview", "offer", "accepted", "rejected", "withdrawn"
    ] = ""


class RecordJobArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    company: str = Field(min_length=1, max_length=200)
    role: str = Field(default="", max_length=200)
    status: Literal[
        "applied", "screening", "interview", "offer", "accepted", "rejected", "withdrawn"
    ] = "applied"


class RecordArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["financial", "job", "browser", "system", "other"] = "other"
    description: str = Field(min_length=1, max_length=500)
    when: datetime | None = Field(default=None, description="Default: now.")
    amount: Decimal | None = Field(
        default=None, description="Financial only; negative is money spent."
    )
    currency: str = Field(default="", max_length=3)
    category: str = Field(default="", max_length=64)
    application: str = Field(default="", max_length=120)


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """``[start, end)`` of a named period around ``today``."""
    month_start = today.replace(day=1)
    week_start = today - timedelta(days=today.weekday())
    if period == "today":
        return today, today + timedelta(days=1)
    if period == "yesterday":
        return today - timedelta(days=1), today
    if period == "this week":
        return week_start, today + timedelta(days=1)
    if period == "last week":
        return week_start - timedelta(days=7), week_start
    if period == "this month":
        return month_start, today + timedelta(days=1)
    if period == "last month":
        return (month_start - timedelta(days=1)).replace(day=1), month_start
    if period == "this year":
        return today.replace(month=1, day=1), today + timedelta(days=1)
    if period == "last year":
        return today.replace(year=today.year - 1, month=1, day=1), today.replace(month=1, day=1)
    days = 90 if period == "last 90 days" else 30
    return today - timedelta(days=days - 1), today + timedelta(days=1)


def _aware(day: date, tz: Any) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz)


def search_activities(context: ToolContext, args: SearchArgs) -> ToolResult:
    user = context.user()
    qs = activities_for_user(user).filter(
        occurred_at__gte=timezone.now() - timedelta(days=args.days)
    )
    if args.type:
        qs = qs.filter(type=args.type)
    if args.query:
        qs = qs.search(args.query)
    rows = list(qs.order_by("-occurred_at")[:25])
    tz = user.tzinfo
    table = {
        "kind": "table",
        "title": f"Activities{' matching “' + args.query + '”' if args.query else ''}, last {args.days} days",
        "columns": ["When", "Type", "Description", "Amount", "Application"],
        "rows": [
            [
                a.occurred_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                a.get_type_display(),
                a.description,
                f"{a.amount} {a.currency}".strip() if a.amount is not None else "",
                a.application,
            ]
            for a in rows
        ],
    }
    text = f"Found {len(rows)} activit{'y' if len(rows) == 1 else 'ies'}" + (
        " (showing the newest 25)." if len(rows) == 25 else "."
    )
    return ToolResult(text=text, blocks=[table] if rows else [])


def summarise_spending(context: ToolContext, args: SpendingArgs) -> ToolResult:
    user = context.user()
    tz = user.tzinfo
    start, end = period_bounds(args.period, timezone.now().astimezone(tz).date())
    qs = (
        activities_for_user(user)
        .financial()
        .filter(amount__lt=0, occurred_at__gte=_aware(start, tz), occurred_at__lt=_aware(end, tz))
    )
    label = args.category.strip().lower()
    if label:
        qs = qs.filter(Q(category__iexact=label) | Q(category__icontains=label))
    currencies = list(qs.values("currency").annotate(n=Count("id")).order_by("-n"))
    what = f"on {label}" if label else "in total"
    if not currencies:
        return ToolResult(
            text=f"You spent nothing {what} {args.period} ({start:%d %b} to {end - timedelta(days=1):%d %b %Y}); no matching transactions."
        )
    currency = currencies[0]["currency"]
    qs = qs.filter(currency=currency)
    total = -(qs.aggregate(total=Sum("amount"))["total"] or Decimal(0))
    count = qs.count()
    per_day = list(
        qs.annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .values("day")
        .annotate(total=Sum("amount"))
        .order_by("day")
    )
    if label:
        figure = go.Figure(
            go.Bar(
                x=[d["day"].isoformat() for d in per_day],
                y=[-d["total"] for d in per_day],
                marker_color="#c2410c",
            )
        )
        figure.update_layout(xaxis={"type": "date", "tickformat": "%d %b"}, yaxis_title=currency)
        title = f"Spending {what}, {args.period}"
    else:
        cats = list(qs.values("category").annotate(total=Sum("amount")).order_by("total")[:10])
        figure = go.Figure(
            go.Bar(
                x=[-c["total"] for c in reversed(cats)],
                y=[c["category"] or "uncategorised" for c in reversed(cats)],
                orientation="h",
                marker_color="#c2410c",
            )
        )
        figure.update_layout(xaxis_title=currency)
        title = f"Spending by category, {args.period}"
    text = (
        f"You spent {total:,.2f} {currency} {what} {args.period} "
        f"({start:%d %b} to {end - timedelta(days=1):%d %b %Y}), in {count} transaction{'s' if count != 1 else ''}."
    )
    if len(currencies) > 1:
        text += f" (Only {currency} is counted; there are also transactions in {', '.join(c['currency'] or '?' for c in currencies[1:])}.)"
    return ToolResult(
        text=text,
        blocks=[{"kind": "chart", "title": title, "figure": figure_json(figure, 280)}],
    )


def list_job_applications(context: ToolContext, args: JobsArgs) -> ToolResult:
    user = context.user()
    qs = activities_for_user(user).jobs()
    if args.status:
        qs = qs.filter(status=args.status)
    rows = list(qs.order_by("-occurred_at")[:50])
    tz = user.tzinfo
    table = {
        "kind": "table",
        "title": "Your job applications",
        "columns": ["Applied", "Company", "Role", "Status", "Last update"],
        "rows": [
            [
                a.occurred_at.astimezone(tz).strftime("%Y-%m-%d"),
                a.company,
                a.role,
                a.get_status_display(),
                (a.status_changed_at or a.occurred_at).astimezone(tz).strftime("%Y-%m-%d"),
            ]
            for a in rows
        ],
    }
    if not rows:
        return ToolResult(
            text="You have no job applications recorded"
            + (f" with status {args.status}." if args.status else ".")
        )
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    summary = ", ".join(
        f"{counts[s.value]} {s.label.lower()}" for s in JobStatus if counts.get(s.value)
    )
    return ToolResult(
        text=f"You have {sum(counts.values())} job applications ({summary}).", blocks=[table]
    )


def record_job(context: ToolContext, args: RecordJobArgs) -> ToolResult:
    user = context.user()
    data = {
        "type": "job",
        "timestamp": timezone.now().isoformat(),
        "application": "Assistant",
        "description": f"Applied to {args.company}" + (f" as {args.role}" if args.role else ""),
        "company": args.company,
        "role": args.role,
        "status": args.status,
    }
    return _record(context, user, data)


def record(context: ToolContext, args: RecordArgs) -> ToolResult:
    user = context.user()
    data: dict[str, Any] = {
        "type": args.type,
        "timestamp": (args.when or timezone.now()).isoformat(),
        "application": args.application or "Assistant",
        "description": args.description,
        "amount": str(args.amount) if args.amount is not None else None,
        "currency": args.currency,
        "category": args.category,
    }
    return _record(context, user, data)


def _record(context: ToolContext, user: Any, data: dict[str, Any]) -> ToolResult:
    try:
        activity = record_activity(
            owner=user,
            data=data,
            source="assistant",
            external_id=f"assistant:{context.idempotency_key}"[:255],
        )
    except ActivityRefused as exc:
        raise ToolError(f"I could not record it: {exc}") from None
    when = activity.occurred_at.astimezone(user.tzinfo)
    return ToolResult(
        text=f"Recorded: {activity.description} ({activity.get_type_display().lower()}, {when:%d %B %Y %H:%M}). It is on your dashboard.",
        blocks=[
            {
                "kind": "link",
                "label": "Open it on the dashboard",
                "url": reverse("activities:detail", args=[activity.pk]),
            }
        ],
    )


def register() -> None:
    register_tool(
        Tool(
            name="activities_search",
            description="Search the user's recorded activities (spending, job applications, browsing, system events).",
            args=SearchArgs,
            run=search_activities,
            label="Search activities",
            example="search my activities for amazon",
            command="activities",
        )
    )
    register_tool(
        Tool(
            name="activities_spending",
            description="How much the user spent, in total or on a category, over a period; returns a chart.",
            args=SpendingArgs,
            run=summarise_spending,
            label="Spending",
            example="what did I spend on groceries last month?",
            command="spending",
        )
    )
    register_tool(
        Tool(
            name="activities_job_applications",
            description="The user's job applications and their status.",
            args=JobsArgs,
            run=list_job_applications,
            label="Job applications",
            example="show my job applications",
            command="jobs",
        )
    )
    register_tool(
        Tool(
            name="activities_record_job",
            description="Record a job application the user tells you about.",
            args=RecordJobArgs,
            run=record_job,
            example="I applied to Acme as backend engineer",
        )
    )
    register_tool(
        Tool(
            name="activities_record",
            description="Record any other activity the user tells you about (a purchase, an event).",
            args=RecordArgs,
            run=record,
        )
    )
