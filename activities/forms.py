"""Forms of the dashboard: one activity by hand, a job status, an import, tracking."""

from __future__ import annotations

from typing import Any

from django import forms
from pydantic import ValidationError

from activities.models import Activity, ActivityType, JobStatus
from activities.schemas import ActivityIn, clean_tag, first_error

EDITABLE = (
    "type",
    "application",
    "description",
    "amount",
    "currency",
    "category",
    "counterparty",
    "company",
    "role",
)


class ActivityForm(forms.Form):
    type = forms.ChoiceField(choices=ActivityType.choices)
    occurred_at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    description = forms.CharField(max_length=500)
    application = forms.CharField(max_length=120, required=False)
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, required=False, help_text="Negative for money spent."
    )
    currency = forms.CharField(max_length=3, required=False)
    category = forms.CharField(max_length=64, required=False)
    counterparty = forms.CharField(label="Merchant / payer", max_length=200, required=False)
    company = forms.CharField(max_length=200, required=False)
    role = forms.CharField(max_length=200, required=False)
    status = forms.ChoiceField(choices=[("", "—"), *JobStatus.choices], required=False)
    tags = forms.CharField(required=False, max_length=400, help_text="Comma-separated.")

    def __init__(
        self, *args: Any, tz: Any, instance: Activity | None = None, **kwargs: Any
    ) -> None:
        if instance is not None and (not args or args[0] is None):
            kwargs["initial"] = {
                **{f: getattr(instance, f) for f in EDITABLE},
                "occurred_at": instance.occurred_at.astimezone(tz).replace(tzinfo=None),
                "status": instance.status,
                "tags": ", ".join(instance.tag_names),
            }
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.instance = instance
        self.validated: ActivityIn | None = None
        if instance is not None:
            self.fields["status"].disabled = True
            self.fields["status"].help_text = "Change the status from the application's page."

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        try:
            return sorted({clean_tag(t) for t in raw.split(",") if t.strip()})
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.validated = ActivityIn.model_validate(self._raw(data))
            self.occurred = self.validated.occurred_at(self.tz)
        except (ValidationError, ValueError) as exc:
            raise forms.ValidationError(first_error(exc)) from None
        return data

    def _raw(self, data: dict[str, Any]) -> dict[str, Any]:
        when = data["occurred_at"]
        raw = {
            "id": "form",
            "timestamp": when.replace(tzinfo=None) if when.tzinfo else when,
            "tags": data.get("tags") or [],
            **{f: data.get(f) if data.get(f) is not None else "" for f in EDITABLE},
        }
        raw["amount"] = data.get("amount")
        raw["status"] = (self.instance.status if self.instance else data.get("status")) or ""
        if raw["type"] != ActivityType.JOB:
            raw["status"] = ""
        return raw

    def item(self) -> dict[str, Any]:
        assert self.validated is not None
        return self.validated.model_dump(mode="json", exclude={"id"})

    def changes(self) -> dict[str, Any]:
        assert self.validated is not None
        changes = {f: getattr(self.validated, f) for f in EDITABLE}
        changes["occurred_at"] = self.occurred
        return changes


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=JobStatus.choices)
    note = forms.CharField(max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A bank statement: CSV, OFX or QFX.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.ofx,.qfx,text/csv"}),
    )


class TrackingForm(forms.Form):
    disabled_applications = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in ActivityType.choices:
            self.fields[f"track_{value}"] = forms.BooleanField(required=False, label=label)
            self.fields[f"keep_{value}"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=36_500,
                label=f"Keep {label.lower()} for (days)",
            )

    def type_rows(self) -> list[tuple[str, str, Any, Any]]:
        return [
            (v, label, self[f"track_{v}"], self[f"keep_{v}"]) for v, label in ActivityType.choices
        ]

    def disabled_types(self) -> list[str]:
        return [v for v in ActivityType.values if not self.cleaned_data.get(f"track_{v}")]

    def retention(self) -> dict[str, int]:
        return {v: int(d) for v in ActivityType.values if (d := self.cleaned_data.get(f"keep_{v}"))}

    def applications(self) -> list[str]:
        raw = self.cleaned_data.get("disabled_applications") or ""
        return [a.strip() for a in raw.replace(",", "\n").splitlines() if a.strip()]
