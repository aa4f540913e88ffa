"""What the user does with their notifications: read, act, delete."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from notifications import live
from notifications.handlers import ActionRefused, get_handler
from notifications.models import Notification

log = logging.getLogger(__name__)


def mark_read(*, notification: Notification) -> bool:
    """Mark one notification read (every open tab updates). False if it already was."""
    now = timezone.now()
    if not Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now
    ):
        return False
    notification.read_at = now
    live.push_changed_on_commit(notification.owner_id, changed=[notification])
    return True


def mark_all_read(*, owner: Any, category: str = "") -> int:
    """Mark every unread notification of ``owner`` (of one category, if given) read."""
    with transaction.atomic():
        unread = Notification.objects.for_owner(owner).unread()
        if category:
            unread = unread.filter(category=category)
        changed = list(unread.select_for_update())
        now = timezone.now()
        Notification.objects.filter(pk__in=[n.pk for n in changed]).update(read_at=now)
        for n in changed:
            n.read_at = now
        if changed:
            live.push_changed_on_commit(owner.pk, changed=changed)
    return len(changed)


def delete_notification(*, notification: Notification) -> None:
    pk, owner_id = notification.pk, notification.owner_id
    with transaction.atomic():
        notification.delete()
        live.push_changed_on_commit(owner_id, deleted=[pk])


@dataclass(frozen=True)
class ActResult:
    notification: Notification
    message: str
    done: bool  # False: refused, or another tab acted first


def act(*, user: Any, notification: Notification, key: str) -> ActResult:
    """Run the notification's action ``key`` as ``user``. The first action taken wins
    (two tabs pressing buttons act once); the handler authorizes ``user`` itself."""
    action = notification.action(key)
    if action is None:
        return ActResult(notification, "That action is not offered here.", done=False)
    handler = get_handler(str(action.get("handler", "")))
    if handler is None:
        log.error("notification %s names an unknown handler %r", notification.pk, action)
        return ActResult(notification, "That action is no longer available.", done=False)
    now = timezone.now()
    try:
        with transaction.atomic():
            # Claim first: the conditional UPDATE lets one action through, on any database.
            claimed = Notification.objects.filter(pk=notification.pk, acted_at__isnull=True).update(
                acted_at=now, acted_key=key, read_at=Coalesce("read_at", Value(now))
            )
            if not claimed:
                raise _AlreadyActed
            outcome = handler(user, dict(action.get("params") or {}))[:300]
            Notification.objects.filter(pk=notification.pk).update(outcome=outcome)
            notification.refresh_from_db()
            live.push_changed_on_commit(notification.owner_id, changed=[notification])
    except _AlreadyActed:
        notification.refresh_from_db()
        return ActResult(notification, f"Already done: {notification.outcome}", done=False)
    except ActionRefused as refused:  # rolled back: the buttons stay
        return ActResult(notification, str(refused), done=False)
    return ActResult(notification, outcome, done=True)


class _AlreadyActed(Exception):
    pass


def settle(*, owner_id: int, dedupe_key: str, outcome: str) -> bool:
    """What a notification's buttons would decide was decided elsewhere (in the chat, or
    it expired): its buttons go away and every tab shows ``outcome``. False if already
    acted on (or no such notification)."""
    now = timezone.now()
    found = Notification.objects.filter(owner_id=owner_id, dedupe_key=dedupe_key)
    if not found.filter(acted_at__isnull=True).update(
        acted_at=now, outcome=outcome[:300], read_at=Coalesce("read_at", Value(now))
    ):
        return False
    live.push_changed_on_commit(owner_id, changed=list(found))
    return True
