from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lmo.accounts.mfa import Gate, gate_for, request_is_verified


def shell(request: HttpRequest) -> dict[str, Any]:
    """What base.html needs: whether to show the app navigation and open the live socket."""
    user = getattr(request, "user", None)
    in_app = bool(
        user is not None
        and user.is_authenticated
        and gate_for(user, verified=request_is_verified(request)) is Gate.OPEN
    )
    return {"lmo_in_app": in_app, "lmo_version": settings.LMO_VERSION}
