from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from lmo.health import check_all
from lmo.tabs import get_settings_tab, settings_tabs


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@login_required
def settings_page(request: HttpRequest, tab: str | None = None) -> HttpResponse:
    if tab is None:
        return redirect("settings_tab", tab="security")
    current = get_settings_tab(tab)
    if current is None:
        raise Http404("No such settings tab.")
    context = {"tabs": settings_tabs(), "current": current, **current.context(request)}
    template = "settings.html#panel" if request.htmx else "settings.html"  # type: ignore[attr-defined]
    return render(request, template, context)


async def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness of every part LMO needs; 503 when any of them is down."""
    report = await check_all()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
