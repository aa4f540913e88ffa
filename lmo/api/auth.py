"""``Authorization: Bearer lmo_…`` only: no cookies, so no CSRF surface."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from lmo.api.keys import authenticate, bearer_token
from lmo.api.models import ApiKey
from lmo.api.problems import Problem
from lmo.api.ratelimit import hit
from lmo.usage.quotas import quota_problem


class KeyAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        # Not ninja's own: that one logs an unexpected header, which may be a secret.
        token = bearer_token(request)
        return None if token is None else self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = authenticate(token, address=request.META.get("REMOTE_ADDR"))
        if key is None:
            return None
        request.api_key = key  # type: ignore[attr-defined]  # read by the request log
        request.user = key.user
        verdict = hit(key)
        request.rate_limit = verdict  # type: ignore[attr-defined]  # headers on the response
        if not verdict.allowed:
            whose = "this key" if verdict.scope == "key" else "this key's organisation"
            raise Problem(
                429,
                f"Too many requests: {whose} may make {verdict.limit} per minute. "
                f"Retry in {verdict.reset_in} s.",
                headers={"Retry-After": str(verdict.reset_in), **verdict.headers()},
            )
        return key


def api_key(request: HttpRequest) -> ApiKey:
    key = getattr(request, "api_key", None)
    assert isinstance(key, ApiKey)
    return key


def require_quota(key: ApiKey) -> None:
    """402 when the key's organisation (or its user there) has used its month's tokens."""
    problem = quota_problem(user_id=key.user_id, organisation_id=key.organisation_id)
    if problem is not None:
        raise Problem(402, problem)


def require_scope(request: HttpRequest, scope: str) -> ApiKey:
    key = api_key(request)
    if not key.has_scope(scope):
        raise Problem(403, f"This API key does not have the '{scope}' scope.")
    return key
