"""Creating, revoking and checking API keys."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone

from lmo.api.models import ApiKey, Scope, key_digest
from lmo.organisations.models import Membership

MAX_LIFETIME = timedelta(days=366)  # "up to one year", whatever the year's length
# last_used_* is written at most this often per key: a busy key does not turn every
# read into a write.
TOUCH_EVERY = timedelta(seconds=5)
PREFIX_LENGTH = 8


class ApiKeyError(ValueError):
    """A key that cannot be created as asked; the message says why."""


def _new_raw() -> tuple[str, str]:
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return prefix, f"lmo_{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def create_api_key(
    *, membership: Membership, name: str, scopes: list[str], expires_at: datetime
) -> tuple[ApiKey, str]:
    """A key for ``membership``'s user in its organisation; the raw key is returned once
    (only its digest is stored)."""
    name = name.strip()
    if not name:
        raise ApiKeyError("Give the key a name.")
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ApiKeyError(f"Unknown scope: {', '.join(unknown)}.")
    if not scopes:
        raise ApiKeyError("Choose at least one scope.")
    now = timezone.now()
    if expires_at <= now:
        raise ApiKeyError("The expiry must be in the future.")
    if expires_at > now + MAX_LIFETIME:
        raise ApiKeyError("A key can live for one year at most.")
    prefix, raw = _new_raw()
    key = ApiKey.objects.create(
        user_id=membership.user_id,
        organisation_id=membership.organisation_id,
        name=name[:80],
        prefix=prefix,
        digest=key_digest(raw),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    return key, raw


def revoke_api_key(*, user: Any, key_id: int) -> bool:
    return bool(
        ApiKey.objects.filter(pk=key_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None."""
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def usable_key(raw: str) -> ApiKey | None:
    """The usable key ``raw`` names, without marking it used."""
    return ApiKey.objects.usable().filter(digest=key_digest(raw)).first()


def authenticate(raw: str, *, address: str | None) -> ApiKey | None:
    """The usable key ``raw`` names, with its user and organisation, or None: unknown,
    revoked or expired keys, inactive users, and users no longer in the key's
    organisation are all refused alike."""
    if not raw.startswith("lmo_") or len(raw) > 200:
        return None
    return _admitted(ApiKey.objects.filter(digest=key_digest(raw)), address)


def authenticate_key(key_id: int, *, address: str | None) -> ApiKey | None:
    """The same checks for a key known by its id (an MCP client's connection key)."""
    return _admitted(ApiKey.objects.filter(pk=key_id), address)


def _admitted(keys: Any, address: str | None) -> ApiKey | None:
    member = Membership.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id")
    )
    key = (
        keys.usable().select_related("user", "organisation").annotate(member=Exists(member)).first()
    )
    if key is None or not key.user.is_active or not key.member:
        return None
    now = timezone.now()
    if (
        key.last_used_at is None
        or now - key.last_used_at >= TOUCH_EVERY
        or (key.last_used_address != address)
    ):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_address=address)
        key.last_used_at, key.last_used_address = now, address
    return key
