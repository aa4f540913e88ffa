"""The dashboard page: the chosen panel's charts and the filtered list, together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from activities import charts
from activities.access import activities_for_user, applications_for_user
from activities.filters import VIEWS, Filters
from activities.models import Activity, ActivityQuerySet, ActivityType

PAGE = 50


def page_of(qs: ActivityQuerySet, cursor: str) -> tuple[list[Activity], str]:
    """One page of the list, newest first, after ``cursor`` (keyset: stays fast deep down)."""
    if cursor:
        try:
            moment, pk = cursor.rsplit("_", 1)
            at = datetime.fromisoformat(moment)
            qs = qs.filter(occurred_at__lte=at).exclude(occurred_at=at, id__gte=int(pk))
        except ValueError:
            pass
    rows = list(qs.order_by("-occurred_at", "-id").prefetch_related("tags")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    next_cursor = f"{rows[-1].occurred_at.isoformat()}_{rows[-1].pk}" if more and rows else ""
    return rows, next_cursor


def _context(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    filters = Filters(request.GET, user.tzinfo)
    owned = activities_for_user(user)
    rows, next_cursor = page_of(filters.apply(owned), "")
    return {
        "filters": filters,
        "form": filters.form,
        "panel": charts.panel(owned, filters),
        "views": VIEWS,
        "types": ActivityType.choices,
        "applications": applications_for_user(user),
        "rows": rows,
        "next_cursor": next_cursor,
        "has_any": bool(rows) or owned.exists(),
    }


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")  # the same URL is a page or its body: cache apart
def dashboard(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if request.htmx and request.htmx.target == "dashboard-body":  # type: ignore[attr-defined]
        return render(request, "activities/dashboard.html#body", context)
    return render(request, "activities/dashboard.html", context)


@login_required
@require_GET
def items(request: HttpRequest) -> HttpResponse:
    """The next page of the list (the infinite scroll asks for it when it shows)."""
    user: Any = request.user
    filters = Filters(request.GET, user.tzinfo)
    rows, next_cursor = page_of(
        filters.apply(activities_for_user(user)), request.GET.get("cursor", "")
    )
    return render(
        request,
        "activities/dashboard.html#rows",
        {"rows": rows, "next_cursor": next_cursor, "filters": filters},
    )
