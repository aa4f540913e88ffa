"""Settings -> Notifications."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from notifications.forms import NotificationSettingsForm, category_forms
from notifications.preferences import preferences_for, settings_for


def notifications_context(request: HttpRequest) -> dict[str, Any]:
    owner = request.user
    return {
        "settings_form": NotificationSettingsForm(instance=settings_for(owner)),
        "category_rows": category_forms(owner, preferences_for(owner)),
    }
