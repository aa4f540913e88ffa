from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lmo.api.keys import create_api_key
from lmo.api.models import Scope
from lmo.organisations.access import current_membership

ALL_SCOPES = list(Scope.values)


def make_key(user: Any, scopes: list[str] | None = None, days: int = 30) -> str:
    _, raw = create_api_key(
        membership=current_membership(user),
        name="test key",
        scopes=scopes if scopes is not None else ALL_SCOPES,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return raw


class ApiClient:
    """Django's test client with a bearer key on every request."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.client = Client()

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.raw}", **extra}

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return self.client.get(path, params, headers=self._headers(headers or {}))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            path, body or {}, content_type="application/json", headers=self._headers(headers or {})
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=self._headers({}))


@pytest.fixture
def api_for() -> Callable[..., ApiClient]:
    def _make(user: Any, scopes: list[str] | None = None) -> ApiClient:
        return ApiClient(make_key(user, scopes))

    return _make
