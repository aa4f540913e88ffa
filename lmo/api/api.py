"""LMO's public API, ``/api/v1/``: django-ninja (pydantic schemas, OpenAPI 3 at
``/api/v1/openapi.json``, interactive docs at ``/api/v1/docs`` served from the installed
package's static files, no CDN). Bearer keys only; errors are problem details."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from lmo import __version__
from lmo.api import problems
from lmo.api.auth import KeyAuth
from lmo.api.endpoints import activities, completions, computers, conversations, me, runs

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details (with an OpenAI-style error member).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "error": {"type": "object"},
    },
    "required": ["type", "title", "status", "detail"],
}
# Every operation may answer these (authentication, scope, not yours, invalid, quota,
# rate limit...), as problem documents.
ERRORS = {
    "400": "The request is malformed.",
    "401": "No valid API key.",
    "402": "The monthly token quota is used up.",
    "403": "The key lacks the scope.",
    "404": "Not found, or not yours.",
    "409": "Conflicts with an earlier request (an Idempotency-Key reused).",
    "413": "Too large.",
    "422": "Invalid input.",
    "429": "Over a rate limit (see Retry-After).",
}


class LmoAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """ninja's schema, with the problem responses every operation can give."""
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for code, description in ERRORS.items():
                    responses.setdefault(code, {"description": description, "content": problem})
        return schema


api = LmoAPI(
    title="LMO API",
    version="1",
    description=(
        "Your assistant, your activities and your computers, for programs. Authenticate "
        "with an API key from Settings → API: `Authorization: Bearer lmo_…`. Errors are "
        "RFC 9457 problem details. Another user's or organisation's object is a 404. "
        f"Server version {__version__}."
    ),
    urls_namespace="api",
    auth=KeyAuth(),
)
problems.install(api)
api.add_router("", me.router)
api.add_router("", conversations.router)
api.add_router("", activities.router)
api.add_router("", computers.router)
api.add_router("", completions.router)
api.add_router("", runs.router)
