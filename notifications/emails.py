"""E-mails of notifications: one notification, or the digest of several (HTML + text).

Links in e-mails are absolute (``LMO_PUBLIC_URL``) and signed: "open" marks the
notification read and goes to it, "stop" switches the category's e-mail off."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.models import Category, Notification

OPEN_SALT = "notifications.email.open"
STOP_SALT = "notifications.email.stop"
LINK_MAX_AGE = 30 * 24 * 3600


def absolute(path: str) -> str:
    return str(settings.LMO_PUBLIC_URL).rstrip("/") + path


def open_link(notification: Notification) -> str:
    token = signing.dumps({"n": notification.pk}, salt=OPEN_SALT, compress=True)
    return absolute(reverse("notifications:email_open", args=[token]))


def stop_link(owner_id: int, category: str) -> str:
    token = signing.dumps({"u": owner_id, "c": category}, salt=STOP_SALT, compress=True)
    return absolute(reverse("notifications:email_stop", args=[token]))


def read_open_token(token: str) -> int:
    """The notification id an "open" link names; raises signing.BadSignature."""
    return int(signing.loads(token, salt=OPEN_SALT, max_age=LINK_MAX_AGE)["n"])


def read_stop_token(token: str) -> tuple[int, str]:
    data = signing.loads(token, salt=STOP_SALT, max_age=LINK_MAX_AGE)
    category = str(data["c"])
    if category not in Category.values:
        raise signing.BadSignature("unknown category")
    return int(data["u"]), category


def _message(
    *, to: str, subject: str, template: str, context: dict[str, Any], stop: str | None
) -> EmailMultiAlternatives:
    context = {
        **context,
        "stop_link": stop,
        "centre_link": absolute(reverse("notifications:centre")),
    }
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    headers = {}
    if stop:
        # RFC 8058 one-click unsubscribe: mail clients POST to the link.
        headers = {
            "List-Unsubscribe": f"<{stop}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=text,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    owner = notification.owner
    return _message(
        to=owner.email,
        subject=notification.title,
        template="notification",
        context={
            "notification": notification,
            "open_link": open_link(notification),
            "time_zone": owner.tzinfo,
        },
        stop=stop_link(owner.pk, notification.category),
    )


def digest_email(owner: Any, notifications: Sequence[Notification]) -> EmailMultiAlternatives:
    items = [{"notification": n, "open_link": open_link(n)} for n in notifications]
    count = len(items)
    return _message(
        to=owner.email,
        subject=f"{count} notification{'s' if count != 1 else ''} while you were away",
        template="digest",
        context={"items": items, "time_zone": owner.tzinfo},
        stop=None,
    )
