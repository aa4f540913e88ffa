"""Saving a user's notification preferences (all of them at once, or nothing)."""

from __future__ import annotations

from django.db import transaction

from notifications.forms import CategoryPreferenceForm, NotificationSettingsForm
from notifications.models import CategoryPreference


@transaction.atomic
def save_preferences(
    *, settings_form: NotificationSettingsForm, category_forms: list[CategoryPreferenceForm]
) -> None:
    """Store validated forms; the caller checked every one is valid."""
    settings_form.save()
    for form in category_forms:
        form.save()


def stop_emails(*, owner_id: int, category: str) -> None:
    """Switch e-mail off for one category (the link at the bottom of each e-mail)."""
    CategoryPreference.objects.update_or_create(
        owner_id=owner_id, category=category, defaults={"email": False}
    )
