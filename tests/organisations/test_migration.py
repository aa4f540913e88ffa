"""Accounts made before organisations existed get their personal one on migrate."""

from __future__ import annotations

from typing import Any

import pytest

from lmo.organisations.models import Membership, Role
from tests.migrating import latest, migrate_to

BEFORE = [("organisations", "0001_initial"), ("accounts", "0002_user_time_zone")]


@pytest.mark.django_db(transaction=True)
def test_existing_accounts_get_a_personal_organisation(alice: Any) -> None:
    old = migrate_to(BEFORE)
    assert not old.get_model("organisations", "Membership").objects.exists()
    old.get_model("accounts", "User").objects.create(
        username="eve", email="eve@example.com", time_zone="UTC", password="!"
    )

    migrate_to(latest())

    for email in ("alice@example.com", "eve@example.com"):
        [membership] = Membership.objects.filter(user__email=email)
        assert membership.organisation.personal and membership.role == Role.OWNER
        assert membership.is_current
