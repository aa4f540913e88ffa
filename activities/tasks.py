from __future__ import annotations

import logging

from celery import shared_task

from activities.actions.imports import purge_pending_imports
from activities.actions.tracking import purge_expired

log = logging.getLogger(__name__)


@shared_task(name="activities.apply_retention")
def apply_retention() -> int:
    """Daily: delete activities older than each user's retention, and stale uploads."""
    removed = purge_expired()
    purge_pending_imports()
    if removed:
        log.info("retention removed %s activities", removed)
    return removed


@shared_task(name="activities.unusual_spending")
def unusual_spending() -> int:
    """Daily: tell each user about categories spending unusually this month."""
    from django.contrib.auth import get_user_model

    from activities.insights import check_unusual_spending, owners_spending_lately

    told = 0
    for owner in get_user_model().objects.filter(pk__in=owners_spending_lately(), is_active=True):
        try:
            told += check_unusual_spending(owner)
        except Exception:  # one user's data must not stop the others
            log.exception("the unusual-spending check failed for user %s", owner.pk)
    return told
