"""The admin site: reachable only by staff whose session passed the second factor."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp.admin import OTPAdminSite

from lmo.accounts.mfa import request_is_verified, user_has_mfa


class LMOAdminSite(OTPAdminSite):
    site_header = "LMO administration"
    site_title = "LMO admin"
    index_title = "Operations"

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Send everyone through the app's own login and MFA pages (rate-limited there)."""
        next_url = request.GET.get("next") or resolve_url("admin:index")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = resolve_url("admin:index")
        user = request.user
        if not user.is_authenticated:
            target = "account_login"
        elif not (user.is_active and user.is_staff):
            raise PermissionDenied("This account cannot use the admin.")
        elif not request_is_verified(request):
            target = "mfa_verify" if user_has_mfa(user) else "mfa_setup"
        else:
            return HttpResponseRedirect(next_url)
        return HttpResponseRedirect(f"{resolve_url(target)}?{urlencode({'next': next_url})}")
