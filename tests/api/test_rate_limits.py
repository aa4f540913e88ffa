"""Rate limits per key and per organisation: 429 with Retry-After and RateLimit-*
headers, held in Redis across two server processes in the scaled mode."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.test import Client

from lmo.organisations.access import current_membership
from lmo.organisations.models import Organisation
from tests.api.conftest import ApiClient, make_key


def _limit(user: Any, **fields: Any) -> Organisation:
    organisation = current_membership(user).organisation
    Organisation.objects.filter(pk=organisation.pk).update(**fields)
    return organisation


@pytest.mark.django_db
def test_a_key_over_its_limit_gets_429_with_retry_after(alice) -> None:
    _limit(alice, key_requests_per_minute=3)
    api = ApiClient(make_key(alice))
    answers = [api.get("/api/v1/me") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    refused = answers[3]
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["RateLimit-Limit"] == "3"
    assert "this key may make 3 per minute" in refused.json()["detail"]
    # Another key of the same organisation has its own allowance.
    assert ApiClient(make_key(alice)).get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_the_organisation_limit_counts_all_its_keys(alice) -> None:
    _limit(alice, requests_per_minute=4, key_requests_per_minute=100)
    first, second = ApiClient(make_key(alice)), ApiClient(make_key(alice))
    codes = [c.get("/api/v1/me").status_code for c in (first, second, first, second, first)]
    assert codes == [200, 200, 200, 200, 429]
    assert "organisation may make 4" in second.get("/api/v1/me").json()["detail"]


@pytest.mark.django_db
def test_managers_set_the_limits_in_settings(alice, login_verified) -> None:
    client = login_verified(Client(), alice)
    response = client.post(
        "/organisations/rate-limits/", {"requests_per_minute": "50", "key_requests_per_minute": "5"}
    )
    assert "Rate limits saved" in response.content.decode()
    organisation = current_membership(alice).organisation
    assert (organisation.requests_per_minute, organisation.key_requests_per_minute) == (50, 5)
    bad = client.post("/organisations/rate-limits/", {"requests_per_minute": "0"})
    assert bad.status_code == 400


@pytest.mark.scaled
@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_across_two_server_processes(alice) -> None:
    from tests.agent_bridge.live import daphne

    _limit(alice, key_requests_per_minute=6)
    headers = {"Authorization": f"Bearer {make_key(alice)}"}
    with daphne() as one, daphne() as two:
        codes = [
            httpx.get(f"{server.url}/api/v1/me", headers=headers, timeout=10).status_code
            for server in (one, two) * 4
        ]
    assert codes == [200] * 6 + [429, 429]
