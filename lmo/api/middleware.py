"""Around every ``/api/`` request: the request log (never bodies or secrets), ETags on
GETs (``If-None-Match`` → 304) and ``Idempotency-Key`` on POSTs."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.cache import get_conditional_response, set_response_etag

from lmo.api import idempotency
from lmo.api.logs import record_request
from lmo.api.stream_end import when_finished

PREFIX = "/api/"


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        # No cookies here: a browser's session must not authenticate an API call (so
        # there is nothing for a cross-site request to ride on).
        request.COOKIES = {}
        request.META.pop("HTTP_COOKIE", None)
        started = time.perf_counter()
        if request.method == "POST":
            response = idempotency.handle(request, self.get_response)
        else:
            response = self.get_response(request)
        if (
            request.method == "GET"
            and response.status_code == 200
            and isinstance(response, HttpResponse)
            and not response.streaming
        ):
            set_response_etag(response)
            response = (
                get_conditional_response(request, etag=response.get("ETag"), response=response)
                or response
            )
        verdict = getattr(request, "rate_limit", None)
        if verdict is not None and "RateLimit-Limit" not in response:
            for name, value in verdict.headers().items():
                response[name] = value
        if isinstance(response, StreamingHttpResponse):
            # Logged when it ends: its latency and the tokens it used are known then.
            when_finished(
                response,
                lambda _: record_request(request, response, _ms_since(started)),
                keep_body=False,
            )
        else:
            record_request(request, response, _ms_since(started))
        return response


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
