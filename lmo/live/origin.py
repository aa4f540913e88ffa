"""The page socket's Origin check, strict: an Origin is a scheme, a host and maybe a port,
nothing else (RFC 6454). ``http://evil.example@127.0.0.1`` (userinfo), ``null``, a path
or a bad port are refused before Channels compares the host with ``ALLOWED_HOSTS``."""

from __future__ import annotations

from typing import Any
from urllib.parse import ParseResult

from channels.security.websocket import OriginValidator
from django.conf import settings


def is_plain_origin(parsed: ParseResult) -> bool:
    if parsed.scheme not in ("http", "https") or not parsed.netloc or "@" in parsed.netloc:
        return False
    if parsed.path or parsed.params or parsed.query or parsed.fragment:
        return False
    try:
        parsed.port  # noqa: B018  (raises on a port that is not a number in range)
    except ValueError:
        return False
    return parsed.hostname is not None


class StrictOriginValidator(OriginValidator):
    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        if parsed_origin is not None and not is_plain_origin(parsed_origin):
            return False
        return bool(super().valid_origin(parsed_origin))


def strict_allowed_hosts_origin_validator(application: Any) -> StrictOriginValidator:
    """Channels' ``AllowedHostsOriginValidator``, with strict origins."""
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    return StrictOriginValidator(application, allowed)
