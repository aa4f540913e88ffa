"""``Idempotency-Key`` on every ``POST`` under ``/api/`` (draft-ietf-httpapi-idempotency-key-header):
the first request with a key claims it; a retry gets the first successful answer again
(``Idempotent-Replayed: true``) and nothing runs twice. A retry that arrives while the
first is still running waits for it; one with a different body is a 409. Only successful
answers are kept: after an error nothing was applied, so a retry runs again."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone

from lmo.api.keys import bearer_token, usable_key
from lmo.api.models import ApiKey, IdempotentRequest
from lmo.api.problems import problem_response
from lmo.api.stream_end import when_finished

HEADER = "Idempotency-Key"
VALID = re.compile(r"^[A-Za-z0-9_-]{1,60}$")
IDEMPOTENCY_HOURS = 24
MAX_KEPT_BODY = 2 * 1024 * 1024  # a larger answer is not kept (a retry runs again)
WAIT_SECONDS = 30.0  # a concurrent retry waits this long for the first to finish
POLL_SECONDS = 0.1


def _caller(request: HttpRequest) -> ApiKey | None:
    token = bearer_token(request)
    return None if token is None else usable_key(token)


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(request: HttpRequest, kept: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        bytes(kept.body), status=kept.status or 200, content_type=kept.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(key: ApiKey, idempotency_key: str, fingerprint: str) -> IdempotentRequest | None:
    """The new claim, or None when this key was used before."""
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                api_key=key, key=idempotency_key, fingerprint=fingerprint
            )
    except IntegrityError:
        return None


def _settled(claim: IdempotentRequest, response: HttpResponseBase, body: bytes) -> None:
    if 200 <= response.status_code < 300 and len(body) <= MAX_KEPT_BODY:
        claim.status = response.status_code
        claim.content_type = response.get("Content-Type", "")[:100]
        claim.body = body
        claim.save(update_fields=["status", "content_type", "body"])
    else:
        claim.delete()


def _kept_body(response: HttpResponseBase, claim: IdempotentRequest) -> HttpResponseBase:
    if not response.streaming:
        assert isinstance(response, HttpResponse)
        _settled(claim, response, response.content)
        return response
    assert isinstance(response, StreamingHttpResponse)
    when_finished(response, lambda body: _settle_stream(response, claim, body), keep_body=True)
    return response


def _settle_stream(
    response: HttpResponseBase, claim: IdempotentRequest, body: bytes | None
) -> None:
    if body is not None:
        _settled(claim, response, body)
    else:  # the caller went away mid-answer: the retry runs again
        claim.delete()


def _earlier(request: HttpRequest, key: ApiKey, idempotency_key: str, fingerprint: str) -> Any:
    """The answer for a key used before: its replay, a wait for it, or a problem."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        kept = IdempotentRequest.objects.filter(api_key=key, key=idempotency_key).first()
        if kept is None:
            return None  # the first attempt failed meanwhile: this one runs
        if kept.fingerprint != fingerprint:
            return problem_response(
                request,
                409,
                "This Idempotency-Key was already used for a different request.",
            )
        if kept.status is not None:
            return _replay(request, kept)
        if time.monotonic() > deadline:
            return problem_response(
                request,
                409,
                "A request with this Idempotency-Key is still running; retry later.",
                headers={"Retry-After": "5"},
            )
        time.sleep(POLL_SECONDS)


def handle(
    request: HttpRequest, get_response: Callable[[HttpRequest], HttpResponseBase]
) -> HttpResponseBase:
    """Answer a ``POST`` that may carry an ``Idempotency-Key``."""
    idempotency_key = request.headers.get(HEADER)
    if idempotency_key is None:
        return get_response(request)
    if not VALID.match(idempotency_key):
        return problem_response(
            request, 400, "Idempotency-Key must be 1 to 60 letters, digits, '-' or '_'."
        )
    key = _caller(request)
    if key is None:
        return get_response(request)  # answered 401 there
    fingerprint = _fingerprint(request)
    for _ in range(3):
        claim = _claim(key, idempotency_key, fingerprint)
        if claim is None:
            earlier = _earlier(request, key, idempotency_key, fingerprint)
            if earlier is not None:
                return earlier
            continue
        try:
            response = get_response(request)
        except BaseException:
            claim.delete()
            raise
        return _kept_body(response, claim)
    return problem_response(
        request, 409, "A request with this Idempotency-Key keeps failing; retry later."
    )


def purge_idempotency(*, now: Any = None) -> int:
    cutoff = (now or timezone.now()) - timedelta(hours=IDEMPOTENCY_HOURS)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
