"""Settings → Apps: pairing, manual tokens, rename, revoke, history; outsiders get 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from agent_bridge.actions import start_pairing
from agent_bridge.models import Agent, AgentToken
from permissions.actions import queue_command
from permissions.models import CommandRun
from tests.agent_bridge.conftest import make_agent

pytestmark = pytest.mark.django_db


def test_pairing_from_settings_needs_sign_in(client: Client, alice: Any) -> None:
    started = start_pairing(name="laptop")
    response = client.post("/apps/pair/", {"code": started.user_code})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Agent.objects.exists()


def test_pairing_needs_the_second_factor(client: Client, alice: Any) -> None:
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    started = start_pairing(name="laptop")
    response = client.post("/apps/pair/", {"code": started.user_code})
    assert response.status_code == 302 and "mfa" in response["Location"]
    assert not Agent.objects.exists()


def test_pair_with_the_shown_code(alice_client: Client, alice: Any) -> None:
    started = start_pairing(name="laptop", platform="Linux 6")
    response = alice_client.post("/apps/pair/", {"code": started.user_code, "name": "Work laptop"})
    assert response.status_code == 200
    assert "Work laptop is paired" in response.content.decode()
    assert Agent.objects.get(owner=alice).name == "Work laptop"
    wrong = alice_client.post("/apps/pair/", {"code": "ZZZZ-ZZZZ"})
    assert "not valid" in wrong.content.decode()


def test_settings_lists_computers_with_connectors(alice_client: Client, alice: Any) -> None:
    agent, _ = make_agent(alice, "Desk")
    Agent.objects.filter(pk=agent.pk).update(connected=True, platform="Linux 6.1")
    page = alice_client.get("/settings/apps/").content.decode()
    assert f'id="agent-{agent.pk}"' in page
    assert "Connected" in page and "Linux 6.1" in page
    assert "filesystem" in page and "list" in page


def test_manual_token_is_shown_once(alice_client: Client, alice: Any) -> None:
    response = alice_client.post("/apps/computers/", {"name": "Server"})
    token = AgentToken.objects.get(agent__owner=alice)
    page = response.content.decode()
    assert token.prefix in page and "not shown again" in page
    again = alice_client.get("/settings/apps/").content.decode()
    assert "not shown again" not in again


def test_rename_revoke_and_history(alice_client: Client, alice: Any) -> None:
    agent, _ = make_agent(alice)
    alice_client.post(f"/apps/computers/{agent.pk}/rename/", {"name": "  Home   PC "})
    agent.refresh_from_db()
    assert agent.name == "Home PC"
    run = queue_command(agent=agent, target="filesystem", action="list", params={"path": "~/x"})
    history = alice_client.get(f"/apps/computers/{agent.pk}/runs/").content.decode()
    assert f'id="run-{run.pk}"' in history and "filesystem.list" in history
    alice_client.post(f"/apps/computers/{agent.pk}/revoke/")
    agent.refresh_from_db()
    assert agent.revoked_at is not None
    assert CommandRun.objects.get(pk=run.pk).state == "cancelled"


def test_outsiders_get_404(client: Client, alice: Any, charlie: Any, login_verified: Any) -> None:
    agent, _ = make_agent(alice)
    token = AgentToken.objects.get(agent=agent)
    login_verified(client, charlie)
    for url in (
        f"/apps/computers/{agent.pk}/rename/",
        f"/apps/computers/{agent.pk}/revoke/",
        f"/apps/computers/{agent.pk}/tokens/",
        f"/apps/tokens/{token.pk}/revoke/",
    ):
        assert client.post(url, {"name": "mine"}).status_code == 404, url
    assert client.get(f"/apps/computers/{agent.pk}/runs/").status_code == 404
    assert f"agent-{agent.pk}" not in client.get("/settings/apps/").content.decode()
    agent.refresh_from_db()
    token.refresh_from_db()
    assert agent.name == "laptop" and agent.revoked_at is None and token.revoked_at is None
    assert AgentToken.objects.filter(agent=agent).count() == 1
