"""Settings → Tracking: what may be recorded, how long it is kept, deleting everything."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from activities.access import activities_for_user, applications_for_user
from activities.actions.ingest import tracking_for
from activities.actions.tracking import delete_all_activities, save_tracking
from activities.forms import TrackingForm
from activities.models import ActivityType
from lmo.tabs import render_settings_tab

CONFIRM_WORD = "delete"


def tab_context(request: HttpRequest, form: TrackingForm | None = None) -> dict[str, Any]:
    user: Any = request.user
    prefs = tracking_for(user)
    if form is None:
        initial: dict[str, Any] = {"disabled_applications": "\n".join(prefs.disabled_applications)}
        for value in ActivityType.values:
            initial[f"track_{value}"] = value not in prefs.disabled_types
            initial[f"keep_{value}"] = prefs.retention_days.get(value)
        form = TrackingForm(initial=initial)
    return {
        "tracking_form": form,
        "applications": applications_for_user(user),
        "activity_count": activities_for_user(user).count(),
        "confirm_word": CONFIRM_WORD,
    }


@login_required
@require_POST
def save(request: HttpRequest) -> HttpResponse:
    form = TrackingForm(request.POST)
    if not form.is_valid():
        return render_settings_tab(request, "tracking", **tab_context(request, form), error=True)
    save_tracking(
        owner=request.user,
        disabled_types=form.disabled_types(),
        disabled_applications=form.applications(),
        retention_days=form.retention(),
    )
    return render_settings_tab(request, "tracking", **tab_context(request), saved=True)


@login_required
@require_POST
def delete_all(request: HttpRequest) -> HttpResponse:
    if request.POST.get("confirm", "").strip().lower() != CONFIRM_WORD:
        return render_settings_tab(
            request,
            "tracking",
            **tab_context(request),
            error=True,
            delete_error=f"Type “{CONFIRM_WORD}” to confirm; nothing was deleted.",
        )
    deleted = delete_all_activities(owner=request.user)
    return render_settings_tab(request, "tracking", **tab_context(request), deleted=deleted)
