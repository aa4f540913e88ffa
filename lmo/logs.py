"""Log lines: a request id on every line, one line per request, expected errors without
tracebacks, and JSON lines in production (``LMO_LOG_FORMAT=json``, python-json-logger).

- ``RequestContextMiddleware`` (first in MIDDLEWARE) gives each request an id (the
  caller's ``X-Request-ID`` when it is a sane one, else a new one), returns it in the
  ``X-Request-ID`` header, and logs one line per request on ``lmo.request``: method,
  route, status, duration and the user.
- ``RequestContextFilter`` (on the console handler) puts ``request_id`` and ``user_id`` on
  every record logged while a request is handled (``-`` outside one).
- ``ExpectedErrorsFilter`` turns what a user can cause (a 404, a 403, a refused upload, a
  bad request) into one line without a traceback; anything else keeps its traceback.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

EXPECTED = (Http404, PermissionDenied, SuspiciousOperation, BadRequest, MultiPartParserError)
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request: ContextVar[HttpRequest | None] = ContextVar("lmo_request", default=None)
access_log = logging.getLogger("lmo.request")


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if _SANE_ID.match(given) else uuid.uuid4().hex


def _user_id(request: HttpRequest | None) -> int | None:
    """The signed-in user's id if the request already knows it (never loads a session)."""
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped if user._wrapped is not empty else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return int(user.pk)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_of(request)  # type: ignore[attr-defined]
        token = _request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
            match = request.resolver_match
            route = match.route if match is not None else ""
            duration = (time.perf_counter() - started) * 1000
            access_log.info(
                "%s /%s %s %.0f ms",
                request.method,
                route,
                response.status_code,
                duration,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(duration, 1),
                },
            )
            return response
        finally:
            _request.reset(token)


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a response's status after the middleware returned: it names the request.
        request = getattr(record, "request", None) or _request.get()
        if not hasattr(record, "request_id"):
            record.request_id = getattr(request, "request_id", "-")
        if not hasattr(record, "user_id"):
            record.user_id = _user_id(request)
        return True


class ExpectedErrorsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, EXPECTED):
            record.exc_info = None
            record.exc_text = None
            self._level(record, logging.INFO if isinstance(exc, Http404) else logging.WARNING)
        elif getattr(record, "status_code", None) == 404 and record.levelno > logging.INFO:
            self._level(record, logging.INFO)
        return True

    @staticmethod
    def _level(record: logging.LogRecord, level: int) -> None:
        record.levelno, record.levelname = level, logging.getLevelName(level)


def json_formatter() -> JsonFormatter:
    """One JSON object per line; the request object Django attaches is left out."""
    return JsonFormatter(
        "{asctime}{levelname}{name}{message}{request_id}{user_id}",
        style="{",
        rename_fields={"levelname": "level", "asctime": "time", "name": "logger"},
        reserved_attrs=[*RESERVED_ATTRS, "request", "server_time"],
    )
