"""The Usage tab's figures (Plotly, built on the server like the dashboard's)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.conf import settings
from django.db.models import QuerySet, Sum

from lmo.usage.access import figures_by, since
from lmo.usage.models import UsageDay

DAYS = 30


def _figure(fig: go.Figure) -> dict[str, Any]:
    fig.update_layout(
        height=260,
        margin={"l": 48, "r": 12, "t": 12, "b": 40},
        legend={"orientation": "h", "y": -0.25},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        barmode="stack",
    )
    result: dict[str, Any] = json.loads(fig.to_json())
    return result


def key_label(prefix: str) -> str:
    return f"lmo_{prefix}_…" if prefix else "LMO's pages"


def cost(model: str, prompt: int, completion: int) -> Decimal | None:
    """Estimated from LMO_LLM_PRICES (per 1M tokens), None for a model without a price."""
    price = settings.LMO_LLM_PRICES.get(model)
    if price is None:
        return None
    per_million = Decimal(1_000_000)
    return (Decimal(prompt) * price[0] + Decimal(completion) * price[1]) / per_million


def usage_panel(rows: QuerySet[UsageDay]) -> dict[str, Any]:
    recent = rows.filter(day__gte=since(DAYS))
    per_day: dict[Any, dict[str, Any]] = {
        r["day"]: dict(r)
        for r in recent.values("day").annotate(
            p=Sum("prompt_tokens"), c=Sum("completion_tokens"), a=Sum("api_requests")
        )
    }
    start = since(DAYS)
    days = [start + timedelta(days=n) for n in range(DAYS)]
    labels = [d.isoformat() for d in days]
    daily = go.Figure(
        [
            go.Bar(x=labels, y=[(per_day.get(d) or {}).get("p") or 0 for d in days], name="Prompt"),
            go.Bar(
                x=labels, y=[(per_day.get(d) or {}).get("c") or 0 for d in days], name="Completion"
            ),
        ]
    )
    by_key: dict[str, int] = defaultdict(int)
    by_model: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in recent.values("key_prefix", "model").annotate(
        p=Sum("prompt_tokens"), c=Sum("completion_tokens")
    ):
        by_key[key_label(r["key_prefix"])] += int(r["p"] or 0) + int(r["c"] or 0)
        if r["model"]:
            by_model[r["model"]][0] += int(r["p"] or 0)
            by_model[r["model"]][1] += int(r["c"] or 0)
    keys = go.Figure(go.Bar(x=list(by_key), y=list(by_key.values()), name="Tokens"))
    models = go.Figure(
        go.Bar(x=list(by_model), y=[p + c for p, c in by_model.values()], name="Tokens")
    )
    model_rows = [
        {
            "model": name,
            "prompt": p,
            "completion": c,
            "cost": cost(name, p, c),
        }
        for name, (p, c) in sorted(by_model.items())
    ]
    [totals] = figures_by(recent)
    return {
        "charts": [
            {
                "slug": "per-day",
                "title": f"Tokens per day (last {DAYS} days)",
                "figure": _figure(daily),
            },
            {
                "slug": "per-key",
                "title": "Tokens per key",
                "figure": _figure(keys) if any(by_key.values()) else None,
            },
            {
                "slug": "per-model",
                "title": "Tokens per model",
                "figure": _figure(models) if by_model else None,
            },
        ],
        "model_rows": model_rows,
        "total_tokens": totals["prompt_tokens"] + totals["completion_tokens"],
        "api_requests": totals["api_requests"],
        "llm_calls": totals["llm_calls"],
        "machine_commands": totals["machine_commands"],
        "days": DAYS,
        "empty": not per_day,
    }
