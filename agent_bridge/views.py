"""Settings → Apps actions (signed-in user) and the pairing endpoints (the agent)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from agent_bridge import actions
from agent_bridge.access import (
    RUNS_PAGE,
    agents_for_user,
    get_agent_for_user,
    get_token_for_user,
    runs_for_agent,
)
from agent_bridge.actions.pairing import PairingError, RateLimited
from agent_bridge.models import Agent
from lmo.tabs import render_settings_tab


def _panel(request: HttpRequest, **extra: Any) -> HttpResponse:
    """Settings → Apps again, with a message."""
    return render_settings_tab(request, "apps", **extra)


@login_required
@require_POST
def pair(request: HttpRequest) -> HttpResponse:
    try:
        agent = actions.approve_pairing(
            user=request.user, code=request.POST.get("code", ""), name=request.POST.get("name", "")
        )
    except PairingError as exc:
        return _panel(request, error=str(exc), code=request.POST.get("code", "")[:20])
    return _panel(request, notice=f"{agent.name} is paired. It connects within a few seconds.")


@login_required
@require_POST
def create_agent(request: HttpRequest) -> HttpResponse:
    """Manual set-up: a computer and a token to paste into the agent (shown once)."""
    name = " ".join(request.POST.get("name", "").split())[:80]
    if not name:
        return _panel(request, error="Give the computer a name.")
    agent = Agent.objects.create(owner=request.user, name=name)  # type: ignore[misc]
    token = actions.create_token(agent=agent, created_by=request.user, label="manual")
    return _panel(request, new_token=token.raw, new_token_agent=agent)


@login_required
@require_POST
def new_token(request: HttpRequest, pk: str) -> HttpResponse:
    agent = get_agent_for_user(request.user, pk)
    if agent.revoked_at:
        return _panel(request, error=f"{agent.name} was removed.")
    token = actions.create_token(agent=agent, created_by=request.user, label="manual")
    return _panel(request, new_token=token.raw, new_token_agent=agent)


@login_required
@require_POST
def rename(request: HttpRequest, pk: str) -> HttpResponse:
    agent = get_agent_for_user(request.user, pk)
    try:
        actions.rename_agent(agent=agent, name=request.POST.get("name", ""))
    except ValueError as exc:
        return _panel(request, error=str(exc))
    return _panel(request, notice="Renamed.")


@login_required
@require_POST
def retry(request: HttpRequest, pk: str) -> HttpResponse:
    agent = get_agent_for_user(request.user, pk)
    connector = request.POST.get("connector", "")
    try:
        actions.retry_connector(agent=agent, connector=connector)
    except ValueError as exc:
        return _panel(request, error=str(exc))
    return _panel(request, notice=f"Asked {agent.name} to start {connector} again.")


@login_required
@require_POST
def revoke(request: HttpRequest, pk: str) -> HttpResponse:
    agent = get_agent_for_user(request.user, pk)
    actions.revoke_agent(agent=agent)
    return _panel(request, notice=f"{agent.name} was removed; its tokens no longer work.")


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_token_for_user(request.user, pk)
    actions.revoke_token(token=token)
    return _panel(request, notice=f"Token {token.prefix}… revoked.")


@login_required
def runs(request: HttpRequest, pk: str) -> HttpResponse:
    agent = get_agent_for_user(request.user, pk)
    page = Paginator(runs_for_agent(agent), RUNS_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "agent_bridge/runs.html",
        {"agent": agent, "page": page, "agents": agents_for_user(request.user)},
    )


# --- the agent's side of pairing (no session: JSON in, JSON out) --------------------------
def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


@csrf_exempt
@require_POST
def pair_start(request: HttpRequest) -> JsonResponse:
    body = _json_body(request)
    if body is None or not isinstance(body.get("name", ""), str):
        return JsonResponse({"error": "Send a JSON object with the computer's name."}, status=400)
    try:
        started = actions.start_pairing(
            name=body.get("name", ""),
            platform=str(body.get("platform", ""))[:120],
            address=request.META.get("REMOTE_ADDR"),
        )
    except RateLimited as exc:
        return JsonResponse({"error": str(exc)}, status=429)
    return JsonResponse(
        {
            "device_code": started.device_code,
            "user_code": started.user_code,
            "verification_uri": request.build_absolute_uri(reverse("settings_tab", args=["apps"])),
            "expires_in": started.expires_in,
            "interval": started.interval,
        }
    )


@csrf_exempt
@require_POST
def pair_poll(request: HttpRequest) -> JsonResponse:
    body = _json_body(request)
    device_code = body.get("device_code") if body else None
    if not isinstance(device_code, str) or not 10 <= len(device_code) <= 100:
        return JsonResponse({"error": "Send the device_code from pairing."}, status=400)
    outcome = actions.poll_pairing(device_code=device_code)
    if outcome.status == "expired":
        return JsonResponse(
            {"status": "expired", "error": "The code expired or was used. Pair again."}, status=410
        )
    if outcome.status != "approved":
        return JsonResponse({"status": outcome.status})
    assert outcome.agent is not None
    return JsonResponse(
        {
            "status": "approved",
            "token": outcome.token,
            "agent_id": str(outcome.agent.pk),
            "name": outcome.agent.name,
        }
    )


def back_to_apps(request: HttpRequest) -> HttpResponse:
    return redirect("settings_tab", tab="apps")
