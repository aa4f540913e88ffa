"""An organisation's own model endpoint and key: encrypted at rest (rotatable), never
shown again, and really used by its members' assistant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import Client

from chat import actions as chat_actions
from chat.models import Conversation, Message
from lmo import crypto
from lmo.organisations.actions import create_organisation, switch_organisation
from lmo.organisations.models import Membership, Organisation, Role
from lmo.testing.fake_llm import FakeLLM, Reply

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _checkpoints(tmp_path: Path, settings: Any) -> None:
    settings.LMO_CHECKPOINT_PATH = tmp_path / "checkpoints.sqlite3"


@pytest.fixture
def org_llm() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.stop()


def _acme(alice: Any) -> tuple[Organisation, Membership]:
    organisation = create_organisation(user=alice, name="Acme")
    membership = Membership.objects.get(user=alice, organisation=organisation)
    switch_organisation(membership=membership)
    return organisation, membership


def test_the_key_is_stored_encrypted_and_never_shown_again(alice, alice_client) -> None:
    organisation, _ = _acme(alice)
    response = alice_client.post(
        "/organisations/llm/",
        {"base_url": "https://llm.acme.test/v1", "model": "acme-large", "api_key": "sk-acme-123"},
    )
    assert "LLM settings saved" in response.content.decode()
    organisation.refresh_from_db()
    assert "sk-acme-123" not in organisation.llm_api_key_encrypted
    assert organisation.llm_api_key() == "sk-acme-123"
    assert "sk-acme-123" not in alice_client.get("/settings/organisation/").content.decode()

    # An empty key field keeps the key; "remove" removes it.
    alice_client.post(
        "/organisations/llm/", {"base_url": "https://llm.acme.test/v1", "model": "acme-xl"}
    )
    organisation.refresh_from_db()
    assert organisation.llm_model == "acme-xl" and organisation.llm_api_key() == "sk-acme-123"
    alice_client.post(
        "/organisations/llm/", {"base_url": "", "model": "", "api_key": "", "clear_key": "on"}
    )
    organisation.refresh_from_db()
    assert not organisation.has_llm_api_key and not organisation.overrides_llm


def test_a_bad_endpoint_is_refused_and_nothing_changes(alice, alice_client) -> None:
    organisation, _ = _acme(alice)
    response = alice_client.post(
        "/organisations/llm/", {"base_url": "ftp://llm.acme.test", "api_key": "sk-1"}
    )
    assert response.status_code == 400
    organisation.refresh_from_db()
    assert not organisation.overrides_llm


def test_a_member_cannot_change_the_llm_settings(alice, bob, login_verified) -> None:
    organisation, _ = _acme(alice)
    bobs = Membership.objects.create(organisation=organisation, user=bob, role=Role.MEMBER)
    switch_organisation(membership=bobs)
    response = login_verified(Client(), bob).post(
        "/organisations/llm/", {"base_url": "https://evil.test/v1", "api_key": "sk-x"}
    )
    assert "owners and admins" in response.content.decode()
    organisation.refresh_from_db()
    assert not organisation.overrides_llm


def test_rotation_reencrypts_with_the_new_key_and_the_old_one_can_go(alice, settings) -> None:
    organisation, membership = _acme(alice)
    from lmo.organisations.actions import save_llm_settings

    save_llm_settings(
        by=membership,
        base_url="https://llm.acme.test/v1",
        model="",
        api_key="sk-r",
        clear_key=False,
    )
    old = list(settings.LMO_ENCRYPTION_KEYS)
    new = Fernet.generate_key().decode()
    settings.LMO_ENCRYPTION_KEYS = [new, *old]
    call_command("lmo_rotate_encryption")
    settings.LMO_ENCRYPTION_KEYS = [new]
    organisation.refresh_from_db()
    assert organisation.llm_api_key() == "sk-r"
    settings.LMO_ENCRYPTION_KEYS = old
    with pytest.raises(crypto.SecretUnreadable):
        organisation.llm_api_key()


@pytest.mark.django_db(transaction=True)  # the graph reads the user from its own thread
def test_the_members_assistant_answers_from_the_organisations_endpoint(
    alice, bob, settings, org_llm
) -> None:
    # The server has no model at all (offline assistant); the organisation has its own.
    settings.LMO_LLM_BASE_URL = None
    settings.LMO_LLM_API_KEY = None
    settings.LMO_LLM_ENABLED = False
    settings.LMO_LLM_MAX_RETRIES = 0
    organisation, membership = _acme(alice)
    from lmo.organisations.actions import save_llm_settings

    save_llm_settings(
        by=membership, base_url=org_llm.url, model="acme-model", api_key="sk-org", clear_key=False
    )
    bobs = Membership.objects.create(organisation=organisation, user=bob, role=Role.MEMBER)
    switch_organisation(membership=bobs)
    org_llm.script(Reply(text="Answered by Acme's model."))

    conversation = Conversation.objects.create(owner=bob, title="")
    posted = chat_actions.post_user_message(
        conversation=conversation, content="hello", client_id="c1", answer=False
    )
    chat_actions.answer_message(message_id=posted.message.pk)

    answer = Message.objects.get(answer_to=posted.message)
    assert answer.content == "Answered by Acme's model."
    assert answer.run.organisation_id == organisation.pk
    assert org_llm.authorizations == ["Bearer sk-org"]
    assert org_llm.requests[0]["model"] == "acme-model"


def test_a_failing_organisation_endpoint_is_named_with_where_it_is_set() -> None:
    import httpx2
    import openai

    from chat.pipeline.runner import explain
    from lmo.organisations.llm import LLMConfig

    own = LLMConfig(base_url="http://10.9.9.9/v1", model="m", source="organisation")
    unreachable = openai.APIConnectionError(request=httpx2.Request("POST", own.base_url or ""))
    text = explain(unreachable, own)
    assert "http://10.9.9.9/v1" in text and "Settings → Organisation" in text
    assert "LMO_LLM_BASE_URL" not in text
    refused = openai.AuthenticationError(
        "no", response=httpx2.Response(401, request=httpx2.Request("POST", "http://x")), body=None
    )
    assert "organisation's LLM key" in explain(refused, own)
    assert "LMO_LLM_API_KEY" in explain(refused)
