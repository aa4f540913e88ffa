"""Celery tasks of notifications: thin and idempotent (each claims its rows first)."""

from __future__ import annotations

from celery import Task, shared_task

from notifications import actions

EMAIL_RETRIES = 5


@shared_task(name="notifications.deliver_email", bind=True, max_retries=EMAIL_RETRIES)
def deliver_email(self: Task, delivery_id: int) -> str:
    """Send one notification's e-mail; retried with back-off while the server refuses.
    The caller picks the queue: ``high`` for urgent/high, ``default`` otherwise."""
    final = self.request.retries >= EMAIL_RETRIES
    try:
        return actions.deliver_email(delivery_id=delivery_id, final_attempt=final)
    except actions.DeliveryFailed as exc:
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 900)) from exc


@shared_task(name="notifications.send_digests")
def send_digests() -> int:
    """Hourly (beat): the digest e-mail of low-priority and held notifications."""
    return actions.send_digests()


@shared_task(name="notifications.purge")
def purge_notifications() -> int:
    """Daily (beat): drop notifications past LMO_NOTIFICATION_RETENTION_DAYS."""
    return actions.purge_notifications()
