"""Errors as RFC 9457 problem details (``application/problem+json``), each with a
message a person can act on."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

log = logging.getLogger(__name__)
PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """Raised anywhere under /api/: answered as a problem document."""

    def __init__(
        self, status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extra,
        # An extension member in OpenAI's shape, so the OpenAI SDKs show the message.
        "error": {"message": detail, "type": HTTPStatus(status).phrase, "code": status},
    }
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _where(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "header")]
    return ".".join(parts) or "request"


def install(api: NinjaAPI) -> None:
    @api.exception_handler(Problem)
    def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
        return problem_response(request, exc.status, exc.detail, headers=exc.headers, **exc.extra)

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {
                "field": _where(list(e.get("loc", []))),
                "message": str(e.get("msg", "")).removeprefix("Value error, "),
            }
            for e in exc.errors
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(request, 422, f"The request is not valid: {summary}", errors=errors)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            request,
            401,
            "Send a valid, unexpired API key as 'Authorization: Bearer lmo_…' "
            "(Settings → API). Session cookies are not accepted here.",
            headers={"WWW-Authenticate": 'Bearer realm="lmo"'},
        )

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem_response(request, exc.status_code, str(exc))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(request, 404, str(exc) or "Not found.")

    @api.exception_handler(Exception)
    def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API request failed: %s %s", request.method, request.path)
        return problem_response(
            request, 500, "Something went wrong on LMO's side; it was logged. Retry later."
        )
