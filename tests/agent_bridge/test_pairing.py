"""Pairing with a short code: expiry, single use, rate limits, and the HTTP endpoints."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from agent_bridge.actions import approve_pairing, authenticate_token, poll_pairing, start_pairing
from agent_bridge.actions.pairing import ENTRY_LIMIT, START_LIMIT, PairingError, RateLimited
from agent_bridge.models import Agent

pytestmark = pytest.mark.django_db


def test_code_entered_then_token_delivered_once(alice: Any) -> None:
    started = start_pairing(name="laptop", platform="Linux", address="10.0.0.1")
    assert len(started.user_code) == 9 and started.user_code[4] == "-"
    assert poll_pairing(device_code=started.device_code).status == "pending"
    agent = approve_pairing(user=alice, code=started.user_code.lower().replace("-", " "))
    assert agent.owner == alice and agent.name == "laptop"
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        outcome = poll_pairing(device_code=started.device_code)
    assert outcome.status == "approved"
    assert authenticate_token(outcome.token) == agent
    # The token is delivered once; the code cannot be used again.
    assert poll_pairing(device_code=started.device_code).status == "expired"
    with pytest.raises(PairingError):
        approve_pairing(user=alice, code=started.user_code)


def test_codes_expire_after_ten_minutes(alice: Any) -> None:
    started = start_pairing(name="laptop")
    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        with pytest.raises(PairingError, match="expired"):
            approve_pairing(user=alice, code=started.user_code)
        assert poll_pairing(device_code=started.device_code).status == "expired"
    assert not Agent.objects.exists()


def test_guessing_codes_is_throttled(alice: Any) -> None:
    started = start_pairing(name="laptop")
    for _ in range(ENTRY_LIMIT):
        with pytest.raises(PairingError):
            approve_pairing(user=alice, code="AAAA-AAAA")
    with pytest.raises(RateLimited):
        approve_pairing(user=alice, code=started.user_code)  # even the right one, for a while
    assert not Agent.objects.exists()


def test_starting_is_rate_limited_per_address() -> None:
    for _ in range(START_LIMIT):
        start_pairing(name="x", address="10.0.0.9")
    with pytest.raises(RateLimited):
        start_pairing(name="x", address="10.0.0.9")
    start_pairing(name="x", address="10.0.0.10")


def test_polling_too_fast_is_told_to_slow_down() -> None:
    started = start_pairing(name="laptop")
    assert poll_pairing(device_code=started.device_code).status == "pending"
    assert poll_pairing(device_code=started.device_code).status == "slow_down"


def test_the_agent_endpoints_speak_json(client: Client, alice: Any) -> None:
    response = client.post("/apps/pair/start/", "{bad", content_type="application/json")
    assert response.status_code == 400
    response = client.post(
        "/apps/pair/start/",
        {"name": "laptop", "platform": "Linux"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verification_uri"].endswith("/settings/apps/")
    poll = client.post(
        "/apps/pair/poll/", {"device_code": body["device_code"]}, content_type="application/json"
    )
    assert poll.json() == {"status": "pending"}
    assert (
        client.post(
            "/apps/pair/poll/", {"device_code": 5}, content_type="application/json"
        ).status_code
        == 400
    )
    approve_pairing(user=alice, code=body["user_code"])
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        done = client.post(
            "/apps/pair/poll/",
            {"device_code": body["device_code"]},
            content_type="application/json",
        )
    assert done.json()["status"] == "approved"
    assert done.json()["token"].startswith("lmo_at_")
    again = client.post(
        "/apps/pair/poll/", {"device_code": body["device_code"]}, content_type="application/json"
    )
    assert again.status_code == 410
