from __future__ import annotations

from urllib.parse import urlsplit

from django import forms

from lmo.organisations.models import Role


class CreateForm(forms.Form):
    name = forms.CharField(max_length=120)


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class LLMForm(forms.Form):
    base_url = forms.URLField(
        label="LLM endpoint (OpenAI-compatible base URL)",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Empty: the server's default.",
    )
    model = forms.CharField(label="Model", max_length=200, required=False)
    api_key = forms.CharField(
        label="API key",
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again; leave empty to keep the current one.",
    )
    clear_key = forms.BooleanField(label="Remove the stored key", required=False)

    def clean_base_url(self) -> str:
        value = str(self.cleaned_data.get("base_url") or "")
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise forms.ValidationError("Give an http:// or https:// address.")
        return value


class QuotaForm(forms.Form):
    quota = forms.IntegerField(
        label="Monthly token quota",
        min_value=0,
        required=False,
        help_text="Prompt + completion tokens per calendar month; empty: no limit.",
    )


class RateLimitForm(forms.Form):
    requests_per_minute = forms.IntegerField(min_value=1, required=False)
    key_requests_per_minute = forms.IntegerField(min_value=1, required=False)
