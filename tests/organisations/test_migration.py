"""Accounts made before organisations existed get their personal one on migrate."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lmo.organisations.models import Membership, Role

BEFORE = [("organisations", "0001_initial"), ("accounts", "0002_user_time_zone")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_accounts_get_a_personal_organisation(alice: Any) -> None:
    old = _migrate(BEFORE)
    assert not old.get_model("organisations", "Membership").objects.exists()
    old.get_model("accounts", "User").objects.create(
        username="eve", email="eve@example.com", time_zone="UTC", password="!"
    )

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    for email in ("alice@example.com", "eve@example.com"):
        [membership] = Membership.objects.filter(user__email=email)
        assert membership.organisation.personal and membership.role == Role.OWNER
        assert membership.is_current
