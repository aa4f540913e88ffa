from __future__ import annotations

from celery import shared_task

from lmo.api.idempotency import purge_idempotency
from lmo.api.logs import purge_request_log


@shared_task(name="api.purge_request_log")
def purge_request_log_task() -> int:
    """Daily: drop request log rows past LMO_REQUEST_LOG_DAYS, and kept answers to
    idempotent requests older than a day."""
    return purge_request_log() + purge_idempotency()
