"""Settings → Permissions and the decide endpoint: the card's choices, scope editing,
step-up for "Always" on shell, revoke (cancelling a queued command), expiry, the panic
button, block rules; and charlie, who can decide, list or guess nothing of alice's."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from lmo.accounts.mfa import VERIFIED_AT_KEY
from notifications.actions import act
from notifications.models import Notification
from permissions.actions import queue_command
from permissions.actions.requests import gate_command
from permissions.models import CommandRun, Grant, PermissionRequest
from tests.conftest import totp_code

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _request(agent: Any, target: str = "filesystem", action: str = "list", **params: Any) -> Any:
    gate = gate_command(
        agent=agent,
        target=target,
        action=action,
        params=params or {"path": "~/Downloads/report.pdf"},
        idempotency_key=f"test:{uuid.uuid4()}",
    )
    assert gate.request is not None
    return gate.request


def _decide(client: Any, request: Any, **data: Any) -> Any:
    return client.post(f"/permissions/requests/{request.pk}/decide/", data, **HTMX)


def test_the_card_widens_the_scope_for_15_minutes(alice_client: Any, laptop: Any) -> None:
    request = _request(laptop)
    page = alice_client.get("/settings/permissions/")
    assert f'id="perm-{request.pk}"'.encode() in page.content
    assert b"~/Downloads/report.pdf" in page.content
    response = _decide(alice_client, request, choice="window", scope="~/Downloads/")
    assert response.status_code == 200 and b"Allow for 15 minutes" in response.content
    grant = Grant.objects.get()
    assert (grant.scope, grant.kind, grant.origin) == ("~/Downloads", "until", "settings")
    run = CommandRun.objects.get()
    assert run.state == "queued" and run.grant == grant


def test_a_scope_that_does_not_include_the_command_is_refused(
    alice_client: Any, laptop: Any
) -> None:
    request = _request(laptop)
    response = _decide(alice_client, request, choice="always", scope="~/Documents")
    assert b"must include" in response.content
    request.refresh_from_db()
    assert request.is_pending and not Grant.objects.exists()


def test_always_for_shell_needs_a_fresh_code(alice: Any, alice_client: Any, laptop: Any) -> None:
    request = _request(laptop, "shell", "run", command="git status")
    response = _decide(alice_client, request, choice="always")
    assert b"Enter a code" in response.content and b'name="code"' in response.content
    assert _decide(alice_client, request, choice="always", code="000000").status_code == 200
    request.refresh_from_db()
    assert request.is_pending and not Grant.objects.exists()
    device = TOTPDevice.objects.get(user=alice)
    time.sleep(1.1)  # django-otp makes the device wait a second after a wrong code
    response = _decide(alice_client, request, choice="always", code=totp_code(device))
    request.refresh_from_db()
    assert request.status == "approved" and Grant.objects.get().kind == "always"


def test_a_recent_verification_needs_no_new_code(alice_client: Any, laptop: Any) -> None:
    session = alice_client.session
    session[VERIFIED_AT_KEY] = time.time() - 60
    session.save()
    request = _request(laptop, "shell", "run", command="git status")
    _decide(alice_client, request, choice="always")
    request.refresh_from_db()
    assert request.status == "approved"


def test_once_for_shell_needs_no_code(alice_client: Any, laptop: Any) -> None:
    request = _request(laptop, "shell", "run", command="git status")
    _decide(alice_client, request, choice="once")
    request.refresh_from_db()
    assert request.status == "approved"


def test_the_notification_refuses_always_for_shell(alice: Any, laptop: Any) -> None:
    request = _request(laptop, "shell", "run", command="git status")
    notice = Notification.objects.get(dedupe_key=request.dedupe_key)
    result = act(user=alice, notification=notice, key="always")
    assert not result.done and "authenticator" in result.message
    request.refresh_from_db()
    assert request.is_pending


def _allow_files(alice: Any) -> Grant:
    return Grant.objects.create(
        owner=alice,
        target="filesystem",
        action="list",
        kind="always",
        created_by=alice,
        origin="chat",
    )


def test_revoking_cancels_the_queued_command_and_asks_next_time(
    alice: Any, alice_client: Any, laptop: Any
) -> None:
    grant = _allow_files(alice)
    run = queue_command(agent=laptop, target="filesystem", action="list", params={"path": "~/a"})
    page = alice_client.get("/settings/permissions/")
    assert f'id="grant-{grant.pk}"'.encode() in page.content
    response = alice_client.post(f"/permissions/grants/{grant.pk}/revoke/", **HTMX)
    assert b"Revoked" in response.content
    run.refresh_from_db()
    assert run.state == "cancelled" and run.is_sealed
    assert _request(laptop, path="~/a").is_pending


def test_changing_the_expiry(alice: Any, alice_client: Any, laptop: Any) -> None:
    grant = _allow_files(alice)
    alice_client.post(f"/permissions/grants/{grant.pk}/expiry/", {"expires": "1h"}, **HTMX)
    grant.refresh_from_db()
    assert grant.kind == "until" and grant.expires_at is not None
    bad = alice_client.post(f"/permissions/grants/{grant.pk}/expiry/", {"expires": "9y"}, **HTMX)
    assert b"Choose how long" in bad.content


def test_revoke_everything(alice: Any, alice_client: Any, laptop: Any) -> None:
    _allow_files(alice)
    run = queue_command(agent=laptop, target="filesystem", action="list", params={"path": "~/a"})
    request = _request(laptop, "shell", "run", command="ls")
    response = alice_client.post("/permissions/revoke-all/", **HTMX)
    assert b"Revoked 1 permission and denied 1 pending request" in response.content
    assert not Grant.objects.live().exists()
    request.refresh_from_db()
    run.refresh_from_db()
    assert request.status == "denied" and run.state == "cancelled"


def test_a_block_rule_records_the_command_as_denied(
    alice: Any, alice_client: Any, laptop: Any
) -> None:
    _allow_files(alice)
    alice_client.post("/permissions/block/", {"connector": "filesystem", "scope": "~/.ssh"}, **HTMX)
    gate = gate_command(
        agent=laptop,
        target="filesystem",
        action="list",
        params={"path": "~/.ssh/keys"},
        idempotency_key="k1",
    )
    assert gate.run is not None and gate.run.state == "denied"
    assert "blocked by your rule" in gate.run.error and gate.run.is_sealed


def test_charlie_can_decide_list_or_guess_nothing(
    alice: Any, charlie: Any, client: Any, login_verified: Any, laptop: Any
) -> None:
    request = _request(laptop)
    grant = _allow_files(alice)
    login_verified(client, charlie)
    assert _decide(client, request, choice="always").status_code == 404
    assert client.post(f"/permissions/grants/{grant.pk}/revoke/").status_code == 404
    assert (
        client.post(f"/permissions/grants/{grant.pk}/expiry/", {"expires": "1h"}).status_code == 404
    )
    assert (
        client.post(f"/permissions/requests/{uuid.uuid4()}/decide/", {"choice": "once"}).status_code
        == 404
    )
    page = client.get("/settings/permissions/")
    assert str(request.pk).encode() not in page.content and b"laptop" not in page.content
    client.post("/permissions/revoke-all/")
    request.refresh_from_db()
    grant.refresh_from_db()
    assert request.is_pending and grant.revoked_at is None
    notice = Notification.objects.get(dedupe_key=request.dedupe_key)
    assert client.post(f"/notifications/{notice.pk}/act/", {"key": "once"}).status_code == 404
    assert PermissionRequest.objects.get(pk=request.pk).is_pending


def test_the_window_label_follows_the_setting_everywhere(
    alice: Any, alice_client: Any, laptop: Any, settings: Any
) -> None:
    """Issue 19: "Allow for 15 minutes" was written out in four places."""
    from notifications.actions import act
    from notifications.models import Notification

    settings.LMO_PERMISSION_WINDOW_MINUTES = 45
    request = _request(laptop)
    page = alice_client.get("/settings/permissions/").content.decode()
    assert "Allow for 45 minutes" in page and "15 minutes" not in page
    notice = Notification.objects.get(dedupe_key=request.dedupe_key)
    assert [a["label"] for a in notice.actions][1] == "Allow for 45 minutes"
    result = act(user=alice, notification=notice, key="window")
    assert result.message == "Allowed for 45 minutes."
    request.refresh_from_db()
    assert request.choice_label == "Allow for 45 minutes"
    grant = Grant.objects.get()
    assert grant.expires_at is not None
    assert 44 * 60 < (grant.expires_at - grant.created_at).total_seconds() <= 45 * 60
    decided = alice_client.get("/settings/permissions/").content.decode()
    assert "15 minutes" not in decided


def test_mcp_hints_decide_the_card_and_the_step_up(alice_client: Any, laptop: Any) -> None:
    """A tool its server does not mark readOnlyHint (or marks destructiveHint) is a write:
    the card says it may change or delete things and Always needs a fresh code; a
    read-only one may be allowed always as before (the agent maps the hints to writes)."""
    laptop.capabilities = [
        *laptop.capabilities,
        {
            "name": "mcp:notes",
            "description": "",
            "actions": [
                {"name": "erase", "description": "", "params": {"type": "object"}, "writes": True},
                {"name": "read", "description": "", "params": {"type": "object"}, "writes": False},
            ],
        },
    ]
    laptop.save()
    erase = _request(laptop, "mcp:notes", "erase", name="todo")
    page = alice_client.get("/settings/permissions/").content.decode()
    assert "may change or delete things on" in page
    response = _decide(alice_client, erase, choice="always")
    assert b"Enter a code" in response.content
    read = _request(laptop, "mcp:notes", "read", name="todo")
    response = _decide(alice_client, read, choice="always")
    read.refresh_from_db()
    assert read.status == "approved" and not read.writes
