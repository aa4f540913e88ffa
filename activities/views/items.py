"""One activity: its detail, adding and editing by hand, moving a job application along."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from activities.access import get_activity_for_user
from activities.actions.edit import ActivityRefused, change_status, record_activity, update_activity
from activities.forms import ActivityForm, StatusForm


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk)
    return render(
        request,
        "activities/detail.html",
        {"activity": activity, "status_form": StatusForm(initial={"status": activity.status})},
    )


@login_required
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ActivityForm(request.POST or None, tz=user.tzinfo)
    if request.method == "POST" and form.is_valid():
        try:
            activity = record_activity(owner=user, data=form.item(), source="manual")
        except ActivityRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Activity added.")
            return redirect("activities:detail", pk=activity.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "activities/edit.html", {"form": form, "activity": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    activity = get_activity_for_user(user, pk)
    form = ActivityForm(request.POST or None, tz=user.tzinfo, instance=activity)
    if request.method == "POST" and form.is_valid():
        update_activity(activity=activity, changes=form.changes(), tags=form.cleaned_data["tags"])
        messages.success(request, "Saved.")
        return redirect("activities:detail", pk=activity.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "activities/edit.html", {"form": form, "activity": activity}, status=status
    )


@login_required
@require_POST
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a job application's status in place (the dashboard row or the detail)."""
    activity = get_activity_for_user(request.user, pk)
    form = StatusForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            activity = change_status(
                activity=activity,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ActivityRefused as exc:
            error = str(exc)
    else:
        error = "Choose a status."
    if request.htmx:  # type: ignore[attr-defined]
        activity = get_activity_for_user(request.user, activity.pk)
        return render(
            request,
            "activities/_status.html",
            {
                "activity": activity,
                "error": error,
                "status_form": StatusForm(initial={"status": activity.status}),
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect("activities:detail", pk=activity.pk)
