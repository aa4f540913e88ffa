"""Second-factor pages: verify at sign-in, set up or replace, backup codes, removal."""

from __future__ import annotations

from base64 import b32encode

import segno
from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from lmo.accounts import actions
from lmo.accounts.actions import CodeCheck
from lmo.accounts.forms import CodeForm
from lmo.accounts.mfa import request_is_verified, user_has_mfa
from lmo.accounts.models import BackupCodeDevice

_BACKUP_SESSION_KEY = "lmo_new_backup_codes"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _code_error(form: CodeForm, check: CodeCheck) -> None:
    if check.locked_until is not None:
        form.add_error(
            "code",
            f"Too many wrong codes. For your security, wait {check.wait_seconds} seconds "
            "before trying again.",
        )
    else:
        form.add_error(
            "code", "That code is not valid. Check your authenticator app and try again."
        )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    if request_is_verified(request):
        return HttpResponseRedirect(_next_url(request))
    if not user_has_mfa(request.user):
        return redirect("mfa_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = actions.verify_second_factor(request=request, code=form.cleaned_data["code"])
        if check.ok:
            return HttpResponseRedirect(_next_url(request))
        _code_error(form, check)
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


def _changing_mfa(request: HttpRequest) -> bool:
    return user_has_mfa(request.user)


@login_required
@reauthentication_required(allow_get=True, enabled=_changing_mfa)
def setup(request: HttpRequest) -> HttpResponse:
    device = actions.start_totp_enrolment(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check, codes = actions.confirm_totp_enrolment(
            request=request, code=form.cleaned_data["code"]
        )
        if check.ok:
            request.session[_BACKUP_SESSION_KEY] = codes
            messages.success(request, "Two-factor authentication is on.")
            query = urlencode({"next": _next_url(request)})
            return redirect(f"{resolve_url('mfa_backup_codes')}?{query}")
        _code_error(form, check)
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(
            scale=5, dark="#111", light="#fff"
        ),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "replacing": user_has_mfa(request.user),
        "next": _next_url(request),
    }
    return render(request, "accounts/setup.html", context)


@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Shows freshly made codes exactly once; afterwards only how many are left."""
    codes = request.session.pop(_BACKUP_SESSION_KEY, None)
    device = BackupCodeDevice.objects.filter(user=request.user).first()
    context = {
        "codes": codes,
        "remaining": device.remaining() if device else 0,
        "next": _next_url(request),
    }
    return render(request, "accounts/backup_codes.html", context)


@login_required
@require_POST
@reauthentication_required
def regenerate_backup_codes(request: HttpRequest) -> HttpResponse:
    if not user_has_mfa(request.user):
        messages.error(request, "Set up an authenticator app first.")
        return redirect("mfa_setup")
    request.session[_BACKUP_SESSION_KEY] = actions.regenerate_backup_codes(user=request.user)
    return redirect("mfa_backup_codes")


@login_required
@require_POST
@reauthentication_required
def remove(request: HttpRequest) -> HttpResponse:
    if settings.LMO_REQUIRE_MFA:
        messages.error(
            request,
            "This server requires two-factor authentication, so it cannot be turned off. "
            "You can replace your authenticator app instead.",
        )
    else:
        actions.remove_second_factor(user=request.user)
        messages.success(request, "Two-factor authentication is off.")
    return redirect("settings_tab", tab="security")
