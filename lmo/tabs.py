"""The Settings page's tabs. Each app registers its own tab from its ``AppConfig.ready``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class SettingsTab:
    slug: str
    label: str
    order: int
    template: str  # renders the panel; receives the request context plus ``context(request)``
    context: Callable[[HttpRequest], dict[str, Any]]


_TABS: dict[str, SettingsTab] = {}


def register_settings_tab(tab: SettingsTab) -> None:
    _TABS[tab.slug] = tab


def settings_tabs() -> list[SettingsTab]:
    return sorted(_TABS.values(), key=lambda t: t.order)


def get_settings_tab(slug: str) -> SettingsTab | None:
    return _TABS.get(slug)


def render_settings_tab(request: HttpRequest, slug: str, **extra: Any) -> HttpResponse:
    """A tab again after one of its forms: its panel for htmx (swapped into
    #settings-panel), the whole Settings page otherwise (400 when ``error`` is given)."""
    tab = get_settings_tab(slug)
    assert tab is not None
    context = {"tabs": settings_tabs(), "current": tab, **tab.context(request), **extra}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, tab.template, context)
    return render(request, "settings.html", context, status=400 if extra.get("error") else 200)
