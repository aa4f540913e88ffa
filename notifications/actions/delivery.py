"""Sending e-mail deliveries, the digest, and dropping old notifications.

Each function claims its rows with a conditional UPDATE before sending, so a task that
is delivered twice (acks_late, a worker lost) sends nothing twice."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from lmo.accounts.models import User
from notifications.emails import digest_email, notification_email
from notifications.models import Delivery, Notification
from notifications.preferences import settings_for

log = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died mid-send: it may be taken again.
STALE_CLAIM = timedelta(minutes=10)


class DeliveryFailed(Exception):
    """Sending failed in a way worth retrying (the mail server said no, or is away)."""


def _claim(delivery_ids: list[int], from_state: str) -> list[int]:
    """Take the deliveries still in ``from_state`` (or abandoned mid-send); returns the
    ids this call took (its claim time tells them from another runner's)."""
    now = timezone.now()
    stale = Q(state=Delivery.State.SENDING, claimed_at__lt=now - STALE_CLAIM)
    Delivery.objects.filter(Q(state=from_state) | stale, pk__in=delivery_ids).update(
        state=Delivery.State.SENDING, claimed_at=now
    )
    return list(
        Delivery.objects.filter(
            pk__in=delivery_ids, state=Delivery.State.SENDING, claimed_at=now
        ).values_list("pk", flat=True)
    )


def _finish(delivery_ids: list[int], *, state: str, error: str = "") -> None:
    fields: dict[str, object] = {"state": state, "error": error[:300]}
    if state == Delivery.State.SENT:
        fields["sent_at"] = timezone.now()
    Delivery.objects.filter(pk__in=delivery_ids).update(**fields)


def deliver_email(*, delivery_id: int, final_attempt: bool = False) -> str:
    """Send one notification's e-mail. Returns what happened; raises DeliveryFailed to be
    retried (the delivery is pending again) unless this is the final attempt."""
    if not _claim([delivery_id], Delivery.State.PENDING):
        return "skipped"  # already sent, sending elsewhere, or gone
    delivery = Delivery.objects.select_related("notification__owner").get(pk=delivery_id)
    Delivery.objects.filter(pk=delivery_id).update(attempts=delivery.attempts + 1)
    try:
        notification_email(delivery.notification).send()
    except Exception as exc:
        log.warning("e-mail of notification %s failed: %s", delivery.notification_id, exc)
        state = Delivery.State.FAILED if final_attempt else Delivery.State.PENDING
        _finish([delivery_id], state=state, error=str(exc) or type(exc).__name__)
        if final_attempt:
            return "failed"
        raise DeliveryFailed(str(exc)) from exc
    _finish([delivery_id], state=Delivery.State.SENT)
    return "sent"


def send_digests(*, now: datetime | None = None) -> int:
    """One e-mail per user summarising what waited for the digest (low priority, or held
    by quiet hours), unless it is still quiet for them. Returns how many were sent."""
    now = now or timezone.now()
    waiting = (
        Delivery.objects.filter(channel=Delivery.Channel.EMAIL, state=Delivery.State.DIGEST)
        .select_related("notification")
        .order_by("notification__created_at")
    )
    by_owner: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in waiting:
        by_owner[delivery.notification.owner_id].append(delivery)
    sent = 0
    for owner in User.objects.filter(pk__in=by_owner):
        if settings_for(owner).is_quiet(now, owner.tzinfo):
            continue
        ids = _claim([d.pk for d in by_owner[owner.pk]], Delivery.State.DIGEST)
        if not ids:
            continue  # another digest run is sending them
        notifications = [d.notification for d in by_owner[owner.pk] if d.pk in ids]
        try:
            digest_email(owner, notifications).send()
        except Exception as exc:
            log.warning("digest for user %s failed: %s", owner.pk, exc)
            _finish(ids, state=Delivery.State.DIGEST, error=str(exc) or type(exc).__name__)
            continue
        _finish(ids, state=Delivery.State.SENT)
        sent += 1
    return sent


def purge_notifications(*, now: datetime | None = None) -> int:
    """Delete notifications older than the retention period. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.LMO_NOTIFICATION_RETENTION_DAYS)
    deleted, _ = Notification.objects.filter(created_at__lt=cutoff).delete()
    return deleted
