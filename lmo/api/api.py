"""LMO's public API, ``/api/v1/``: django-ninja (pydantic schemas, OpenAPI 3 at
``/api/v1/openapi.json``, interactive docs at ``/api/v1/docs`` served from the installed
package's static files, no CDN). Bearer keys only; errors are problem details."""

from __future__ import annotations

from ninja import NinjaAPI

from lmo import __version__
from lmo.api import problems
from lmo.api.auth import KeyAuth
from lmo.api.endpoints import activities, completions, computers, conversations, me, runs

api = NinjaAPI(
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
