"""What a verified ``/mcp`` credential is: the API key it stands for (an API key itself,
or the key of the MCP client connection an OAuth access token was issued to), and the
resource (this server's ``/mcp``) it is valid for."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from mcp.server.auth.provider import AccessToken

from lmo.api.models import ApiKey
from lmo.api.ratelimit import Verdict

MCP_PATH = "/mcp"


@dataclass
class Admission:
    """One request's caller: its address (set by the application around the request: the
    verifier is handed only the token), then what the verifier found (the key, its
    rate-limit verdict, the client's name), for the gate."""

    address: str | None
    key: ApiKey | None = None
    verdict: Verdict | None = None
    client: str = ""


admission: ContextVar[Admission | None] = ContextVar("mcp_admission", default=None)


def resource_url() -> str:
    """This server's MCP endpoint as a resource (RFC 8707/9728): its public URL."""
    return str(settings.LMO_PUBLIC_URL).rstrip("/") + MCP_PATH


class KeyToken(AccessToken):
    """A verified credential: the API key it stands for."""

    key_id: int
    client_name: str = ""  # as the user reads it (an OAuth client's registered name)
