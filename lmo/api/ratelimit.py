"""Request rate limits per API key and per organisation (requests per minute), with the
``limits`` library: in Redis in the scaled mode, so they hold across every server
process; in memory in the embedded mode (one process)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from lmo.api.models import ApiKey

NAMESPACE = "lmo-api"
WINDOW_SECONDS = 60  # every limit is per minute


@cache
def _limiter(uri: str) -> FixedWindowRateLimiter:
    return FixedWindowRateLimiter(storage_from_string(uri))


def storage_uri() -> str:
    return str(settings.REDIS_URL) if settings.LMO_SCALED else "memory://"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_in: int  # seconds until the window that decided starts again
    scope: str  # "key" or "organisation"

    def headers(self) -> dict[str, str]:
        """The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers)."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_in),
        }


def limits_for(key: ApiKey) -> dict[str, int]:
    organisation = key.organisation
    return {
        "key": organisation.key_requests_per_minute or settings.LMO_API_KEY_REQUESTS_PER_MINUTE,
        "organisation": organisation.requests_per_minute
        or settings.LMO_API_ORG_REQUESTS_PER_MINUTE,
    }


def hit(key: ApiKey) -> Verdict:
    """Count one request against the key's and its organisation's limits; the verdict of
    the tighter one (a refused request still counts: retrying early does not help)."""
    limiter = _limiter(storage_uri())
    now = time.time()
    verdicts: list[Verdict] = []
    for scope, per_minute in limits_for(key).items():
        item = RateLimitItemPerMinute(per_minute)
        ident = str(key.pk) if scope == "key" else str(key.organisation_id)
        # The fixed window's own two steps (what FixedWindowRateLimiter.hit and then
        # get_window_stats do, without reading the count back): count it, read the reset.
        slot = item.key_for(NAMESPACE, scope, ident)
        count = limiter.storage.incr(slot, item.get_expiry())
        reset_time = limiter.storage.get_expiry(slot)
        verdicts.append(
            Verdict(
                allowed=count <= per_minute,
                limit=per_minute,
                remaining=max(0, per_minute - count),
                # Redis reports the window's end rounded up to whole seconds: never
                # more than the window itself.
                reset_in=min(WINDOW_SECONDS, max(1, int(reset_time - now + 0.999))),
                scope=scope,
            )
        )
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        return max(refused, key=lambda v: v.reset_in)
    return min(verdicts, key=lambda v: v.remaining)
