"""Celery tasks of permissions: thin, idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="permissions.expire_requests")
def expire_requests() -> int:
    """End unanswered permission requests past their expiry (beat)."""
    from permissions.actions import expire_requests as expire

    return expire()
