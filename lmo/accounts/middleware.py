from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import urlencode

from lmo.accounts.mfa import Gate, request_gate
from lmo.accounts.sessions import expiry_reason, touch

# Pages a signed-in user may open before passing the second factor.
_ALWAYS_OPEN = {
    "account_logout",
    "account_reauthenticate",
    "account_confirm_email",
    "account_email_verification_sent",
    "healthz",
    "mfa_verify",
}
_OPEN_FOR_ENROLMENT = {"mfa_setup", "mfa_backup_codes"}

_EXPIRED_MESSAGES = {
    "idle": "You were signed out after a period of inactivity. Please sign in again.",
    "lifetime": "Your session reached its maximum age. Please sign in again.",
}


class SessionLifetimeMiddleware:
    """Ends sessions past the idle timeout or the absolute lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = expiry_reason(request.session)
            if reason is not None:
                logout(request)
                messages.info(request, _EXPIRED_MESSAGES[reason])
                login = resolve_url(settings.LOGIN_URL)
                return HttpResponseRedirect(
                    f"{login}?{urlencode({'next': request.get_full_path()})}"
                )
            touch(request.session)
        return self.get_response(request)


class MFAGateMiddleware:
    """Keeps a signed-in session away from every page until its second factor is done.

    Users with an authenticator must enter a code once per session; with
    ``LMO_REQUIRE_MFA`` users without one must set it up first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        name = match.url_name if match else None
        if name in _ALWAYS_OPEN:
            return None
        gate = request_gate(request)
        if gate is Gate.OPEN:
            return None
        if gate is Gate.ENROL and name in _OPEN_FOR_ENROLMENT:
            return None
        target = "mfa_verify" if gate is Gate.VERIFY else "mfa_setup"
        query = urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{resolve_url(target)}?{query}"
            return response
        return HttpResponseRedirect(f"{resolve_url(target)}?{query}")
