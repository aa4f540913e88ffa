from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from lmo.api.models import Scope

DEFAULT_DAYS = 90


def _default_expiry() -> date:
    return timezone.localdate() + timedelta(days=DEFAULT_DAYS)


class KeyForm(forms.Form):
    name = forms.CharField(max_length=80)
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    expires = forms.DateField(
        label="Expires on",
        initial=_default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Required; at most one year from today.",
    )

    def clean_expires(self) -> date:
        value: date = self.cleaned_data["expires"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("Choose a day after today.")
        if value > today + timedelta(days=365):
            raise forms.ValidationError("A key can live for one year at most.")
        return value

    def expires_at(self, tz: Any) -> datetime:
        """The end of the chosen day in the user's time zone."""
        day: date = self.cleaned_data["expires"]
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)), tz)
