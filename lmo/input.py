"""Form and query input that no database can keep is refused before any view sees it.

PostgreSQL stores no NUL (``\\x00``) in text: a view that saved or searched for one would
fail with a database error (a 500, and an aborted transaction). Django's form fields already
refuse NUL; this covers every view, including those that read ``request.POST`` or
``request.GET`` directly, with a 400 that names the field. The API and the MCP endpoint
validate their own input (their schemas say so) and answer in their own formats."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from lmo.text import NUL, NUL_MESSAGE

OWN_VALIDATION = ("/api/", "/mcp")


def nul_field(request: HttpRequest) -> str | None:
    """The first query or form field (name or value) holding a NUL, else None."""
    data = [request.GET]
    if request.method == "POST":
        data.append(request.POST)
    for query in data:
        for name, values in query.lists():
            if NUL in name or any(NUL in value for value in values):
                return name.replace(NUL, "\\x00")
    return None


class NulFreeInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OWN_VALIDATION):
            field = nul_field(request)
            if field is not None:
                return HttpResponseBadRequest(
                    f"{field}: {NUL_MESSAGE}.", content_type="text/plain; charset=utf-8"
                )
        return self.get_response(request)
