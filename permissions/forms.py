"""Input of the permissions pages, validated."""

from __future__ import annotations

from typing import Any

from django import forms

from permissions.models import CommandRun


class AuditFilter(forms.Form):
    """The Audit page's filters (all optional; bad values are reported, not ignored)."""

    computer = forms.UUIDField(required=False)
    connector = forms.CharField(required=False, max_length=64)
    outcome = forms.ChoiceField(required=False, choices=[("", "Any"), *CommandRun.State.choices])
    since = forms.DateField(required=False, label="From")
    until = forms.DateField(required=False, label="To")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("“From” must be on or before “To”.")
        return data


class BlockForm(forms.Form):
    computer = forms.UUIDField(required=False)
    connector = forms.CharField(max_length=64)
    action = forms.CharField(required=False, max_length=64)
    scope = forms.CharField(required=False, max_length=1000)
