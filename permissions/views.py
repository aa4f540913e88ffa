"""Deciding requests (the chat card and Settings), managing grants, and the Audit page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lmo.accounts.actions import confirm_identity
from lmo.accounts.mfa import recently_verified
from lmo.csvexport import csv_response
from lmo.tabs import render_settings_tab
from permissions import actions
from permissions.access import (
    audit_records_for_user,
    computers_for_user,
    get_computer_for_user,
    get_grant_for_user,
    get_request_for_user,
    get_run_file_for_user,
)
from permissions.audit import verify_chain
from permissions.forms import AuditFilter, BlockForm
from permissions.live import card_html
from permissions.models import Origin, PermissionRequest
from permissions.previews import preview_kind

AUDIT_PAGE = 50


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _panel(request: HttpRequest, **extra: Any) -> HttpResponse:
    """Settings → Permissions again, with a message."""
    return render_settings_tab(request, "permissions", **extra)


def _stepped_up(request: HttpRequest, req: PermissionRequest, choice: str) -> tuple[bool, str]:
    """(fresh enough, error) for a choice that may need a step-up code."""
    if not actions.requires_step_up(req, choice):
        return True, ""
    now = timezone.now().timestamp()
    if recently_verified(request.session, minutes=settings.LMO_STEP_UP_MINUTES, now=now):
        return True, ""
    code = request.POST.get("code", "").strip()
    if not code:
        return False, "Enter a code from your authenticator app to allow this always."
    check = confirm_identity(request=request, code=code)
    if check.ok:
        return True, ""
    if check.wait_seconds:
        return False, f"Too many wrong codes: try again in {check.wait_seconds} seconds."
    return False, "That code is not right. Enter the current code from your authenticator app."


@login_required
@require_POST
def decide(request: HttpRequest, pk: str) -> HttpResponse:
    req = get_request_for_user(request.user, pk)
    choice = request.POST.get("choice", "")
    scope = request.POST.get("scope")
    error, message = "", ""
    fresh, error = _stepped_up(request, req, choice)
    if fresh:
        try:
            req, done = actions.decide_request(
                user=request.user,
                request=req,
                choice=choice,
                scope=scope,
                origin=Origin.CHAT if req.conversation_id else Origin.SETTINGS,
                ip=_ip(request),
                stepped_up=True,
            )
            if not done:
                message = "This request was already answered (in another tab, or it expired)."
        except actions.DecisionRefused as exc:
            error = str(exc)
    if request.htmx:  # type: ignore[attr-defined]
        html = card_html(req, error=error, message=message, scope=scope, step_up=bool(error))
        return HttpResponse(html, status=200)
    if req.conversation_id and not error:
        return redirect("chat:conversation", req.conversation_id)
    return _panel(request, error=error, notice=message)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: str) -> HttpResponse:
    grant = get_grant_for_user(request.user, pk)
    if actions.revoke_grant(grant=grant):
        return _panel(request, notice="Revoked. The assistant will ask again next time.")
    return _panel(request, notice="That permission had already ended.")


@login_required
@require_POST
def expiry(request: HttpRequest, pk: str) -> HttpResponse:
    grant = get_grant_for_user(request.user, pk)
    try:
        actions.set_expiry(grant=grant, choice=request.POST.get("expires", ""))
    except actions.GrantRefused as exc:
        return _panel(request, error=str(exc))
    return _panel(request, notice="Expiry changed.")


@login_required
@require_POST
def revoke_all(request: HttpRequest) -> HttpResponse:
    grants, requests = actions.revoke_everything(user=request.user)
    return _panel(
        request,
        notice=(
            f"Revoked {grants} permission{'s' * (grants != 1)} and denied {requests} pending "
            f"request{'s' * (requests != 1)}. Nothing runs on your computers until you allow it."
        ),
    )


@login_required
@require_POST
def block(request: HttpRequest) -> HttpResponse:
    form = BlockForm(request.POST)
    if not form.is_valid():
        return _panel(request, error="Name the connector to block (e.g. shell).")
    data = form.cleaned_data
    agent = get_computer_for_user(request.user, data["computer"]) if data["computer"] else None
    try:
        grant = actions.block(
            user=request.user,
            agent=agent,
            target=data["connector"],
            action=data["action"],
            scope=data["scope"],
            ip=_ip(request),
        )
    except actions.GrantRefused as exc:
        return _panel(request, error=str(exc))
    return _panel(request, notice=f"Blocked {grant.target}.{grant.action}.")


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    records = audit_records_for_user(request.user, filters)
    page = Paginator(records, AUDIT_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "permissions/audit.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "agents": computers_for_user(request.user),
            "chain": verify_chain(int(request.user.pk or 0)),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _csv_rows(records: Any) -> Iterator[list[Any]]:
    yield [
        "id",
        "created",
        "computer",
        "connector",
        "action",
        "parameters",
        "outcome",
        "error",
        "duration_ms",
        "grant",
        "request",
        "decided_by",
        "message",
        "audit_seq",
        "audit_digest",
    ]
    for run in records.iterator(chunk_size=500):
        yield [
            run.pk,
            run.created_at.isoformat(),
            run.agent.name,
            run.target,
            run.action,
            json.dumps(run.params, ensure_ascii=False, sort_keys=True),
            run.state,
            run.error,
            run.duration_ms if run.duration_ms is not None else "",
            run.grant_id or "",
            run.permission_request_id or "",
            run.decided_by.email if run.decided_by else "",
            run.message_id or "",
            run.audit_seq or "",
            run.audit_digest,
        ]


@login_required
def audit_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = AuditFilter(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponse("Invalid filters: " + form.errors.as_text(), status=400)
    records = audit_records_for_user(request.user, form.cleaned_data if form.is_bound else {})
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return csv_response(_csv_rows(records), f"lmo-audit-{stamp}.csv")


@login_required
def run_file(request: HttpRequest, pk: str) -> FileResponse:
    """A file of one of the user's command results: images and audio of safe kinds shown
    in the page, anything else (or ``?download=1``) as an attachment, never sniffed."""
    stored = get_run_file_for_user(request.user, pk)
    inline = bool(preview_kind(stored.mime_type)) and "download" not in request.GET
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=not inline,
        filename=stored.name,
        content_type=stored.mime_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
