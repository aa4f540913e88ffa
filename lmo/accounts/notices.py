"""Security notifications: a sign-in that completed while the user was signed in
elsewhere, or that used a backup code; with a button that ends that session."""

from __future__ import annotations

from typing import Any

from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from lmo.accounts.sessions import session_store
from notifications.actions import notify
from notifications.handlers import ActionRefused, NotificationAction
from notifications.models import Category, Priority

END_SESSION = "accounts.end_session"


def end_session(user: Any, params: dict[str, Any]) -> str:
    """Sign out the session named in ``params``, if it is ``user``'s."""
    key = str(params.get("session_key", ""))
    store = session_store(key)
    if not key or not store.exists(key):
        raise ActionRefused("That session has already ended.")
    if str(store.get(SESSION_KEY)) != str(user.pk):
        raise ActionRefused("That session is not yours.")
    store.delete(key)
    UserSession.objects.filter(user=user, session_key=key).delete()
    return "That session is signed out. Change your password if it was not you."


def notify_sign_in(*, request: HttpRequest, backup_code_left: int | None) -> None:
    """After the second factor passed (the session has its final key)."""
    user: Any = request.user
    key = request.session.session_key or ""
    others = [s for s in UserSession.objects.purge_and_list(user) if s.session_key != key]
    if not others and backup_code_left is None:
        return  # the only session: nobody else to tell
    agent = request.headers.get("User-Agent", "an unknown browser")[:160]
    ip = request.META.get("REMOTE_ADDR", "?")
    when = timezone.localtime(timezone.now(), user.tzinfo).strftime("%d %b %Y %H:%M %Z")
    body = f"{agent}\nfrom {ip} at {when}."
    title = "New sign-in to your account"
    if backup_code_left is not None:
        title = "A backup code was used to sign in"
        body += f"\n{backup_code_left} backup codes are left."
    notify(
        owner=user,
        category=Category.SECURITY,
        priority=Priority.HIGH,
        title=title,
        body=body + "\nIf this was not you, sign that session out and change your password.",
        link=reverse("settings_tab", args=["security"]),
        actions=[
            NotificationAction(
                key="end",
                label="Sign that session out",
                handler=END_SESSION,
                params={"session_key": key},
                style="danger",
            )
        ],
        dedupe_key=f"sign-in:{key}",
    )
