"""What both activities scenarios share: PostgreSQL only, throw-away users (their
activities deleted in a few statements), the data's merchants and categories, and the
table's columns for COPY."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from activities.actions.tracking import delete_activities
from activities.models import Activity

MERCHANTS = [f"Merchant {i}" for i in range(400)]
CATEGORIES = [
    "groceries",
    "eating out",
    "transport",
    "shopping",
    "bills",
    "subscriptions",
    "health",
    "other",
]
COLUMNS = (
    "owner_id",
    "type",
    "occurred_at",
    "application",
    "description",
    "details",
    "source",
    "external_id",
    "amount",
    "currency",
    "category",
    "counterparty",
    "company",
    "role",
    "status",
    "created_at",
    "updated_at",
)


def require_postgres(name: str) -> None:
    if connection.vendor != "postgresql" or not settings.LMO_SCALED:
        raise ImproperlyConfigured(
            f"{name} measures the scaled mode: set DATABASE_URL (PostgreSQL) and REDIS_URL."
        )


@contextmanager
def throwaway_users(count: int) -> Iterator[list[Any]]:
    User = get_user_model()
    users = []
    for _ in range(count):
        email = f"bench-act-{secrets.token_hex(6)}@lmo.invalid"
        users.append(
            User.objects.create_user(
                username=email, email=email, password=secrets.token_urlsafe(24)
            )
        )
    try:
        yield users
    finally:
        for user in users:
            delete_activities(Activity.objects.filter(owner=user))
            user.delete()
