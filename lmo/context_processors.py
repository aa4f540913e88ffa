from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lmo.accounts.mfa import Gate, request_gate


def shell(request: HttpRequest) -> dict[str, Any]:
    """What base.html needs: whether to show the app navigation and open the live socket."""
    user = getattr(request, "user", None)
    in_app = bool(user is not None and user.is_authenticated and request_gate(request) is Gate.OPEN)
    return {"lmo_in_app": in_app, "lmo_version": settings.LMO_VERSION}
