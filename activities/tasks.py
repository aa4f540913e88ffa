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
