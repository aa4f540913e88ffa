"""Server tools of the chat itself (other apps register theirs the same way)."""

from __future__ import annotations

import json
from datetime import timedelta

import plotly.graph_objects as go
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from chat.models import Conversation, Message
from chat.pipeline.tools import Tool, ToolContext, ToolResult, register_tool


class NoArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChartArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int = Field(default=30, ge=1, le=365, description="How many days back to chart.")


def current_time(context: ToolContext, args: NoArgs) -> ToolResult:
    user = context.user()
    now = timezone.now().astimezone(user.tzinfo)
    return ToolResult(text=f"It is {now:%H:%M} on {now:%A %d %B %Y} ({user.time_zone}).")


def chat_activity_chart(context: ToolContext, args: ChartArgs) -> ToolResult:
    user = context.user()
    since = timezone.now() - timedelta(days=args.days)
    rows = list(
        Message.objects.filter(
            conversation__owner=user, sender=Message.Sender.USER, created_at__gte=since
        )
        .annotate(day=TruncDate("created_at", tzinfo=user.tzinfo))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    figure = go.Figure(
        go.Bar(x=[r["day"].isoformat() for r in rows], y=[r["n"] for r in rows], name="Messages")
    )
    figure.update_layout(
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        height=280,
        yaxis_title="messages",
        xaxis={"type": "date", "tickformat": "%d %b", "dtick": 86_400_000},
    )
    total = sum(r["n"] for r in rows)
    busiest = max(rows, key=lambda r: r["n"]) if rows else None
    text = f"You sent {total} message{'s' if total != 1 else ''} in the last {args.days} days"
    text += f"; the busiest day was {busiest['day']:%d %B} ({busiest['n']})." if busiest else "."
    block = {
        "kind": "chart",
        "title": f"Your messages per day, last {args.days} days",
        "figure": json.loads(figure.to_json()),
    }
    return ToolResult(text=text, blocks=[block])


def list_conversations(context: ToolContext, args: NoArgs) -> ToolResult:
    rows = list(
        Conversation.objects.owned_by(context.user())
        .annotate(n=Count("messages"))
        .order_by("-last_message_at")[:50]
    )
    table = {
        "kind": "table",
        "title": "Your conversations",
        "columns": ["Title", "Messages", "Last message", "Archived"],
        "rows": [
            [
                c.display_title,
                c.n,
                c.last_message_at.strftime("%Y-%m-%d %H:%M") if c.last_message_at else "",
                "yes" if c.archived else "no",
            ]
            for c in rows
        ],
    }
    return ToolResult(text=f"You have {len(rows)} conversations (newest first).", blocks=[table])


def register() -> None:
    register_tool(
        Tool(
            name="current_time",
            description="The current date and time in the user's time zone.",
            args=NoArgs,
            run=current_time,
            label="Time",
            example="what time is it?",
            command="time",
        )
    )
    register_tool(
        Tool(
            name="chat_activity_chart",
            description="A chart of how many messages the user sent per day.",
            args=ChartArgs,
            run=chat_activity_chart,
            label="Chart my chats",
            example="chart my chat activity",
            command="chart",
        )
    )
    register_tool(
        Tool(
            name="list_conversations",
            description="A table of the user's conversations.",
            args=NoArgs,
            run=list_conversations,
            label="My conversations",
            example="list my conversations",
            command="conversations",
        )
    )
