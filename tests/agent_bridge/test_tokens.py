"""Tokens are random, stored hashed, shown once, revocable; every use checks them."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from agent_bridge.actions import authenticate_token, create_token, revoke_agent, revoke_token
from agent_bridge.actions.tokens import TokenRefused
from agent_bridge.models import AgentToken
from permissions.actions import queue_command
from permissions.models import CommandRun
from tests.agent_bridge.conftest import make_agent

pytestmark = pytest.mark.django_db


def test_only_the_hash_is_stored(alice: Any) -> None:
    agent, raw = make_agent(alice)
    stored = AgentToken.objects.get(agent=agent)
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.digest, stored.prefix, stored.label}
    assert authenticate_token(raw) == agent
    assert create_token(agent=agent).raw != raw  # random each time


@pytest.mark.parametrize("raw", ["", "Bearer", "lmo_at_wrong", "x" * 500])
def test_wrong_tokens_are_refused(alice: Any, raw: str) -> None:
    make_agent(alice)
    with pytest.raises(TokenRefused) as caught:
        authenticate_token(raw)
    assert caught.value.reason == "invalid"


def test_a_revoked_token_stops_working_at_once(alice: Any) -> None:
    agent, raw = make_agent(alice)
    spare = create_token(agent=agent).raw
    revoke_token(token=AgentToken.objects.get(digest=hashlib.sha256(raw.encode()).hexdigest()))
    with pytest.raises(TokenRefused) as caught:
        authenticate_token(raw)
    assert caught.value.reason == "revoked"
    assert authenticate_token(spare) == agent


def test_revoking_a_computer_revokes_its_tokens_and_cancels_its_commands(alice: Any) -> None:
    agent, raw = make_agent(alice)
    run = queue_command(agent=agent, target="system", action="ping", params={})
    assert revoke_agent(agent=agent)
    with pytest.raises(TokenRefused):
        authenticate_token(raw)
    run.refresh_from_db()
    assert run.state == CommandRun.State.CANCELLED
    assert not revoke_agent(agent=agent)  # twice is harmless


def test_a_deactivated_owner_disables_the_token(alice: Any) -> None:
    _, raw = make_agent(alice)
    alice.is_active = False
    alice.save()
    with pytest.raises(TokenRefused):
        authenticate_token(raw)
