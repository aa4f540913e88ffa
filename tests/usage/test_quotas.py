"""Monthly token quotas: notified at 80% and 100% (once each), and past 100% nothing
new starts: 402 from the API, a clear refusal on the chat page naming who can raise it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chat import actions as chat_actions
from chat.errors import ChatInputError
from chat.models import Conversation, Message
from lmo.organisations.actions import create_organisation, set_token_quota, switch_organisation
from lmo.organisations.models import Membership, Organisation, Role
from lmo.usage.actions import record_usage
from lmo.usage.quotas import notify_thresholds, quota_problem
from notifications.models import Notification
from tests.api.conftest import ApiClient, make_key

pytestmark = pytest.mark.django_db


def _acme(owner: Any, member: Any) -> Organisation:
    organisation = create_organisation(user=owner, name="Acme")
    Membership.objects.create(organisation=organisation, user=member, role=Role.MEMBER)
    for user in (owner, member):
        switch_organisation(membership=Membership.objects.get(user=user, organisation=organisation))
    return organisation


def _use(user: Any, organisation: Organisation, tokens: int) -> None:
    record_usage(
        user_id=user.pk, organisation_id=organisation.pk, model="m", completion_tokens=tokens
    )
    notify_thresholds(user=user, organisation_id=organisation.pk)


def test_managers_and_the_member_are_told_at_80_and_100_percent_once(alice, bob) -> None:
    organisation = _acme(alice, bob)
    owner = Membership.objects.get(user=alice, organisation=organisation)
    set_token_quota(by=owner, quota=1000)
    _use(bob, organisation, 500)
    assert not Notification.objects.exists()
    _use(bob, organisation, 300)
    _use(bob, organisation, 10)
    assert sorted(Notification.objects.values_list("owner__email", "title")) == [
        ("alice@example.com", "Acme has used 80% of its monthly tokens"),
        ("bob@example.com", "Acme has used 80% of its monthly tokens"),
    ]
    _use(bob, organisation, 300)
    assert Notification.objects.filter(title__contains="100%").count() == 2
    assert quota_problem(user_id=bob.pk, organisation_id=organisation.pk)


def test_past_the_quota_the_api_answers_402_and_stores_nothing(alice, bob) -> None:
    organisation = _acme(alice, bob)
    owner = Membership.objects.get(user=alice, organisation=organisation)
    set_token_quota(by=owner, quota=100)
    _use(bob, organisation, 100)
    api = ApiClient(make_key(bob))
    conversation = Conversation.objects.create(owner=bob)
    response = api.post(f"/api/v1/conversations/{conversation.pk}/messages", {"content": "hi"})
    assert response.status_code == 402
    detail = response.json()["detail"]
    assert "monthly token quota (100 tokens) is used up" in detail
    assert "alice@example.com" in detail
    assert not Message.objects.exists()
    completion = api.post(
        "/api/v1/chat/completions",
        {"model": "lmo-assistant", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert completion.status_code == 402
    assert Conversation.objects.filter(owner=bob).count() == 1


def test_the_chat_page_says_the_quota_is_used_up_and_who_can_raise_it(alice, bob) -> None:
    organisation = _acme(alice, bob)
    bobs = Membership.objects.get(user=bob, organisation=organisation)
    owner = Membership.objects.get(user=alice, organisation=organisation)
    set_token_quota(by=owner, quota=50, member_id=bobs.pk)
    _use(bob, organisation, 60)
    conversation = Conversation.objects.create(owner=bob)
    with pytest.raises(ChatInputError, match="Your monthly token quota in Acme"):
        chat_actions.post_user_message(conversation=conversation, content="hi", client_id="c1")
    assert not conversation.messages.exists()
    # Alice has no quota of her own and the organisation has none: she goes on.
    mine = Conversation.objects.create(owner=alice)
    chat_actions.post_user_message(conversation=mine, content="hi", client_id="c2", answer=False)
    posted = chat_actions.post_user_message(conversation=mine, content="hi", client_id="c3")
    assert posted.created


def test_only_managers_set_quotas(alice, bob, login_verified) -> None:
    organisation = _acme(alice, bob)
    response = login_verified(Client(), bob).post("/organisations/quota/", {"quota": "5"})
    assert "owners and admins" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.monthly_token_quota is None
    alice_client = login_verified(Client(), alice)
    alice_client.post("/organisations/quota/", {"quota": "5000"})
    organisation.refresh_from_db()
    assert organisation.monthly_token_quota == 5000
    assert alice_client.post("/organisations/quota/", {"quota": "-1"}).status_code == 400
