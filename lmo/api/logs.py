"""The request log: one row per API request, kept ``LMO_REQUEST_LOG_DAYS`` days."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from lmo.api.models import ApiKey, RequestLog
from lmo.usage.actions import record_usage

log = logging.getLogger(__name__)


def record_request(request: HttpRequest, response: HttpResponseBase, latency_ms: float) -> None:
    log_request(
        key=getattr(request, "api_key", None),
        method=request.method or "",
        path=request.path,
        status=response.status_code,
        latency_ms=latency_ms,
        tokens=int(getattr(request, "api_tokens", 0) or 0),
        address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.headers.get("User-Agent") or "",
    )


def log_request(
    *,
    key: ApiKey | None,
    method: str,
    path: str,
    status: int,
    latency_ms: float,
    address: str | None,
    user_agent: str,
    tokens: int = 0,
) -> None:
    """One row of the request log (and one API request of the key's usage), for any
    front door that takes API keys (``/api/``, ``/mcp``)."""
    try:
        RequestLog.objects.create(
            organisation_id=key.organisation_id if key else None,
            user_id=key.user_id if key else None,
            api_key=key,
            key_prefix=key.prefix if key else "",
            method=method[:10],
            path=path[:300],
            status=status,
            latency_ms=round(latency_ms, 2),
            tokens=tokens,
            client_address=address,
            user_agent=user_agent[:300],
        )
        if key is not None:
            record_usage(
                user_id=key.user_id,
                organisation_id=key.organisation_id,
                key_prefix=key.prefix,
                api_requests=1,
            )
    except DatabaseError:
        # A log row must never turn a served request into an error.
        log.exception("could not record the API request")


def purge_request_log(*, now: Any = None) -> int:
    """Delete rows older than the retention; the number deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.LMO_REQUEST_LOG_DAYS)
    deleted, _ = RequestLog.objects.filter(at__lt=cutoff).delete()
    return deleted
