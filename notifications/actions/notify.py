"""``notify``: the one way every app tells a user something."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import live
from notifications.handlers import NotificationAction, get_handler
from notifications.models import Category, Delivery, Notification, Priority
from notifications.preferences import plan_delivery, preference_for, settings_for

log = logging.getLogger(__name__)

MAX_BODY = 4000


def notify(
    *,
    owner: Any,
    category: Category | str,
    title: str,
    priority: Priority | int = Priority.NORMAL,
    body: str = "",
    link: str = "",
    actions: Sequence[NotificationAction] = (),
    dedupe_key: str = "",
) -> Notification:
    """Store a notification for ``owner`` and deliver it as their preferences say.

    Runs inside the caller's transaction: if it rolls back, nothing was notified. Live
    delivery and e-mail happen after commit. With a ``dedupe_key`` the same event never
    notifies twice: the existing notification is returned and nothing is sent again."""
    category = Category(category)
    priority = Priority(int(priority))
    if link and not link.startswith("/"):
        raise ValueError("A notification's link is a path in LMO (starting with /).")
    for action in actions:
        if get_handler(action.handler) is None:
            raise ValueError(f"No notification action handler named {action.handler!r}.")
    if len({a.key for a in actions}) != len(actions):
        raise ValueError("Action keys of a notification must differ.")
    if dedupe_key:
        existing = Notification.objects.filter(owner=owner, dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing

    now = timezone.now()
    plan = plan_delivery(
        preference=preference_for(owner, category),
        user_settings=settings_for(owner),
        priority=priority,
        now=now,
        tz=owner.tzinfo,
        has_email=bool(owner.email),
    )
    notification = Notification(
        owner=owner,
        category=category,
        priority=priority,
        title=title[:200],
        body=body[:MAX_BODY],
        link=link[:500],
        actions=[a.as_json() for a in actions],
        dedupe_key=dedupe_key[:200],
        in_app=plan.in_app,
        # Not shown in the app: kept in the centre's history, never counted as unread.
        read_at=None if plan.in_app else now,
    )
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        # The same event raced us to it (the dedupe key's unique constraint).
        return Notification.objects.get(owner=owner, dedupe_key=dedupe_key)

    if plan.in_app:
        live.push_new_on_commit(notification, toast=plan.toast)
    if plan.email is not None:
        state = Delivery.State.PENDING if plan.email == "now" else Delivery.State.DIGEST
        delivery = Delivery.objects.create(
            notification=notification, channel=Delivery.Channel.EMAIL, state=state
        )
        if state == Delivery.State.PENDING:
            _enqueue_email_on_commit(delivery.pk, priority)
    return notification


def email_queue(priority: int) -> str:
    """Urgent and high go to their own queue, so bulk mail never delays them."""
    return "high" if priority >= Priority.HIGH else "default"


def _enqueue_email_on_commit(delivery_id: int, priority: int) -> None:
    from notifications.tasks import deliver_email

    transaction.on_commit(
        lambda: deliver_email.apply_async(args=(delivery_id,), queue=email_queue(priority))
    )
