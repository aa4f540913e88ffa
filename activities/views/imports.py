"""Import a statement on the dashboard: upload, preview (columns read, duplicates
marked), confirm. A malformed file is refused with its lines and imports nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from activities.actions.imports import confirm_import, preview_import
from activities.forms import ImportForm
from activities.models import PendingImport
from agent_bridge.local_agent.statements import MAX_BYTES, StatementError

PREVIEW_ROWS = 100


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            form.add_error("file", f"The file is larger than {MAX_BYTES // 2**20} MB.")
        else:
            try:
                preview = preview_import(owner=request.user, name=upload.name, data=upload.read())
            except StatementError as exc:
                context["problems"] = exc.problems
            else:
                items = preview.items
                return render(
                    request,
                    "activities/import_preview.html",
                    {
                        "preview": preview,
                        "rows": items[:PREVIEW_ROWS],
                        "more": max(0, len(items) - PREVIEW_ROWS),
                        "new_count": sum(1 for i in items if i["id"] not in preview.duplicates),
                        "duplicate_count": sum(1 for i in items if i["id"] in preview.duplicates),
                    },
                )
    status = 400 if request.method == "POST" else 200
    return render(request, "activities/import.html", context, status=status)


@login_required
@require_POST
def confirm(request: HttpRequest, pk: str) -> HttpResponse:
    pending = get_object_or_404(PendingImport, pk=pk, owner=request.user)
    try:
        outcomes = confirm_import(pending=pending)
    except StatementError as exc:
        return render(
            request,
            "activities/import.html",
            {"form": ImportForm(), "problems": exc.problems},
            status=400,
        )
    counts = {
        s: sum(1 for o in outcomes if o.status == s) for s in ("accepted", "duplicate", "rejected")
    }
    text = f"Imported {counts['accepted']} transaction(s) from {pending.name}"
    if counts["duplicate"]:
        text += f"; {counts['duplicate']} were already there"
    if counts["rejected"]:
        reasons = sorted({o.reason for o in outcomes if o.status == "rejected"})
        text += f"; {counts['rejected']} skipped ({'; '.join(reasons)[:200]})"
    messages.success(request, text + ".")
    return redirect("activities:dashboard")


@login_required
@require_POST
def cancel(request: HttpRequest, pk: str) -> HttpResponse:
    get_object_or_404(PendingImport, pk=pk, owner=request.user).delete()
    messages.info(request, "Import cancelled; nothing was imported.")
    return redirect("activities:dashboard")
