"""The Settings -> Notifications form: every category's channels, quiet hours, thresholds."""

from __future__ import annotations

from typing import Any

from django import forms

from notifications.models import Category, CategoryPreference, NotificationSettings, Priority


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = [
            "quiet_start",
            "quiet_end",
            "urgent_breaks_quiet",
            "large_transaction_amount",
            "unusual_spending",
            "unusual_spending_percent",
            "computer_offline_minutes",
        ]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {
            "quiet_start": "Quiet from",
            "quiet_end": "until",
            "urgent_breaks_quiet": "Urgent notifications break through quiet hours",
            "large_transaction_amount": "Large transaction: from",
            "unusual_spending": "Unusual spending in a category",
            "unusual_spending_percent": "Unusual: above the usual month by (%)",
            "computer_offline_minutes": "Computer offline for (minutes)",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            raise forms.ValidationError("Give both ends of the quiet hours, or neither.")
        if start is not None and start == end:
            raise forms.ValidationError("Quiet hours must start and end at different times.")
        return data


class CategoryPreferenceForm(forms.ModelForm):
    """One row of the table: prefixed with the category, so all rows post together."""

    email_min_priority = forms.TypedChoiceField(
        choices=Priority.choices, coerce=int, label="E-mail from"
    )

    class Meta:
        model = CategoryPreference
        fields = ["in_app", "email", "email_min_priority"]
        labels = {"in_app": "In the app", "email": "E-mail"}


def category_forms(
    owner: Any, preferences: dict[str, CategoryPreference], data: Any = None
) -> list[tuple[str, str, CategoryPreferenceForm]]:
    """(category, label, form) for every category, in their declared order."""
    return [
        (value, str(label), CategoryPreferenceForm(data, instance=preferences[value], prefix=value))
        for value, label in Category.choices
    ]
