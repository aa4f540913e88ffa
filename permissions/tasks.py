"""Celery tasks of permissions: thin, idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="permissions.expire_requests")
def expire_requests() -> int:
    """End unanswered permission requests past their expiry (beat)."""
    from permissions.actions import expire_requests as expire

    return expire()


@shared_task(name="permissions.expire_runs")
def expire_runs() -> int:
    """Every few seconds (beat): commands past their deadline end as timed out."""
    from django.utils import timezone

    from permissions.actions import expire_runs as expire

    return expire(now=timezone.now())
