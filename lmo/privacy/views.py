"""Settings -> Profile's forms: start an export, download it, delete the account."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from lmo.accounts.actions import confirm_identity
from lmo.privacy import exports
from lmo.privacy.deletion import DeletionRefused, deletion_blockers, request_deletion
from lmo.privacy.forms import DeleteAccountForm
from lmo.tabs import render_settings_tab


@login_required
@require_POST
def start_export(request: HttpRequest) -> HttpResponse:
    exports.start_export(user=request.user)
    if request.htmx:  # type: ignore[attr-defined]
        return render_settings_tab(request, "profile", message="Your export is being built.")
    return redirect("settings_tab", tab="profile")


@login_required
@require_GET
def download(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        export = exports.export_for_link(token, request.user)
    except exports.LinkProblem as problem:
        return render(request, "privacy/link_problem.html", {"problem": str(problem)}, status=403)
    exports.mark_downloaded(export)
    name = f"lmo-export-{date.today():%Y-%m-%d}.zip"
    response = FileResponse(
        default_storage.open(str(export.file.name), "rb"), as_attachment=True, filename=name
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST, user=request.user)
    blockers = deletion_blockers(request.user)
    if blockers:  # before the code, which is used up once checked
        return render_settings_tab(request, "profile", delete_form=form, error=" ".join(blockers))
    if not form.is_valid():
        return render_settings_tab(request, "profile", delete_form=form, error="Not deleted.")
    check = confirm_identity(request=request, code=form.cleaned_data["code"])
    if not check.ok:
        wait = check.wait_seconds
        form.add_error(
            "code",
            f"Too many wrong codes: try again in {wait} seconds."
            if wait
            else "That code is not right. Enter the current code from your authenticator app.",
        )
        return render_settings_tab(request, "profile", delete_form=form, error="Not deleted.")
    try:
        request_deletion(user=request.user)
    except DeletionRefused as refused:
        return render_settings_tab(request, "profile", delete_form=form, error=str(refused))
    logout(request)
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse(status=204)
        response["HX-Redirect"] = "/privacy/deleted/"
        return response
    return redirect("privacy:deleted")


@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/deleted.html")
