"""LMO's public API, ``/api/v1/``: django-ninja (pydantic schemas, OpenAPI 3 at
``/api/v1/openapi.json``, interactive docs at ``/api/v1/docs`` served from the installed
package's static files, no CDN). Bearer keys only; errors are problem details."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ninja import NinjaAPI

from lmo import __version__
from lmo.api import idempotency, problems
from lmo.api.auth import KeyAuth
from lmo.api.endpoints import (
    activities,
    completions,
    computers,
    conversations,
    exports,
    me,
    runs,
    usage,
)
from lmo.text import NUL_FREE_PATTERN

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

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    "description": (
        "Makes a retry safe: the same key (with the same body) answers the first "
        f"successful answer again for {idempotency.IDEMPOTENCY_HOURS} hours and does "
        "nothing twice."
    ),
    "schema": {"type": "string", "pattern": idempotency.VALID.pattern},
}


def _refs(node: Any) -> Iterator[str]:
    """The component names ``node`` refers to (``#/components/schemas/Name``)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _nul_free(node: Any) -> None:
    """Say in the schema what the inputs enforce (lmo.text): no text holds a NUL, neither a
    string nor an object's key."""
    if isinstance(node, dict):
        if node.get("type") == "string" and "pattern" not in node:
            node["pattern"] = NUL_FREE_PATTERN
        if node.get("type") == "object" and node.get("additionalProperties") not in (None, False):
            node.setdefault("propertyNames", {"pattern": NUL_FREE_PATTERN})
        for key, value in node.items():
            if key not in ("$ref", "propertyNames"):
                _nul_free(value)
    elif isinstance(node, list):
        for value in node:
            _nul_free(value)


def _inputs_nul_free(schema: dict[str, Any]) -> None:
    """Every parameter and request body, and every component they use, refuses NUL."""
    components = schema.get("components", {}).get("schemas", {})
    inputs = [
        part
        for path in schema.get("paths", {}).values()
        for operation in path.values()
        for part in (operation.get("parameters", []), operation.get("requestBody", {}))
    ]
    names: set[str] = set()
    pending = [name for part in inputs for name in _refs(part)]
    while pending:
        name = pending.pop()
        if name not in names and name in components:
            names.add(name)
            pending.extend(_refs(components[name]))
    for node in [*inputs, *(components[name] for name in names)]:
        _nul_free(node)


class LmoAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """ninja's schema, with the problem responses every operation can give, and inputs
        that say they hold no NUL."""
        schema = super().get_openapi_schema(**kwargs)
        _inputs_nul_free(schema)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path in schema.get("paths", {}).values():
            for method, operation in path.items():
                if method == "post":
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
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
api.add_router("", usage.router)
api.add_router("", exports.router)
