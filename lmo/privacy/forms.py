from __future__ import annotations

from typing import Any

from django import forms


class DeleteAccountForm(forms.Form):
    """The account's e-mail typed out, and a fresh second-factor code (checked by the
    view, with django-otp's throttling)."""

    email = forms.EmailField(
        label="Type your e-mail address to confirm",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label="Code from your authenticator app (or a backup code)",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip()
        if email.lower() != (self.user.email or "").strip().lower():
            raise forms.ValidationError("That is not this account's e-mail address.")
        return email

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if not any(ch.isalnum() for ch in code):
            raise forms.ValidationError("Enter the code from your authenticator app.")
        return code
