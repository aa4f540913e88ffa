"""CSV export of the filtered activities, streamed (any size, constant memory)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from activities.access import activities_for_user
from activities.csv_rows import activity_rows
from activities.filters import Filters
from lmo.csvexport import csv_response


@login_required
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    user: Any = request.user
    filters = Filters(request.GET, user.tzinfo)
    qs = filters.apply(activities_for_user(user))
    stamp = timezone.now().astimezone(user.tzinfo).strftime("%Y%m%d-%H%M")
    return csv_response(activity_rows(qs, user.tzinfo), f"lmo-activities-{stamp}.csv")
