from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest

from lmo.accounts.sessions import mark_login


def _remember_login_time(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        mark_login(request.session)


def connect() -> None:
    user_logged_in.connect(_remember_login_time, dispatch_uid="lmo.accounts.login_time")
