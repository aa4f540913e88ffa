"""The Settings page's tabs. Each app registers its own tab from its ``AppConfig.ready``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


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
