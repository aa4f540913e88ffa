from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from lmo.api.auth import api_key
from lmo.api.schemas import KeyInfo

router = Router(tags=["key"])


@router.get("/me", response=KeyInfo, summary="The calling key")
def me(request: HttpRequest) -> KeyInfo:
    """Who this key acts as, in which organisation, with which scopes."""
    key = api_key(request)
    return KeyInfo(
        name=key.name,
        prefix=key.prefix,
        scopes=key.scopes,
        expires_at=key.expires_at,
        user=key.user.email,
        organisation=key.organisation.name,
        organisation_id=key.organisation_id,
    )
