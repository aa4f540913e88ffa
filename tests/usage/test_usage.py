"""Usage: every model call records the provider's token counts per user, organisation,
key and model; API requests count; Settings → Usage shows them (the organisation's
figures to its managers only) and exports them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from chat import actions as chat_actions
from chat.models import Conversation
from lmo.organisations.access import current_membership
from lmo.organisations.actions import create_organisation, switch_organisation
from lmo.organisations.models import Membership, Role
from lmo.testing.fake_llm import FakeLLM, Reply
from lmo.usage.actions import record_usage
from lmo.usage.charts import cost
from lmo.usage.models import UsageDay
from tests.api.conftest import ApiClient, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def model_server(settings: Any, tmp_path: Path) -> Any:
    server = FakeLLM().start()
    settings.LMO_LLM_BASE_URL = server.url
    settings.LMO_LLM_API_KEY = "k"
    settings.LMO_LLM_ENABLED = True
    settings.LMO_LLM_MAX_RETRIES = 0
    settings.LMO_LLM_MODEL = "gpt-test"
    settings.LMO_CHECKPOINT_PATH = tmp_path / "checkpoints.sqlite3"
    yield server
    server.stop()


def _ask(user: Any, text: str) -> None:
    conversation = Conversation.objects.create(owner=user, title="")
    posted = chat_actions.post_user_message(
        conversation=conversation, content=text, client_id=f"c{conversation.pk}", answer=False
    )
    chat_actions.answer_message(message_id=posted.message.pk)


@pytest.mark.django_db(transaction=True)
def test_a_chat_answer_records_the_providers_token_counts(alice, model_server) -> None:
    model_server.script(Reply(text="three little words"))
    _ask(alice, "count my words please")
    [row] = UsageDay.objects.all()
    assert (row.user_id, row.organisation_id) == (
        alice.pk,
        current_membership(alice).organisation_id,
    )
    assert row.model == "gpt-test" and row.key_prefix == ""
    assert row.completion_tokens == 3 and row.prompt_tokens > 0 and row.llm_calls == 1
    assert model_server.requests[-1]["stream_options"] == {"include_usage": True}


@pytest.mark.django_db(transaction=True)
def test_the_offline_assistant_counts_calls_and_no_tokens(alice, settings, tmp_path) -> None:
    settings.LMO_LLM_BASE_URL = None
    settings.LMO_LLM_API_KEY = None
    settings.LMO_LLM_ENABLED = False
    settings.LMO_CHECKPOINT_PATH = tmp_path / "checkpoints.sqlite3"
    _ask(alice, "hello")
    [row] = UsageDay.objects.all()
    assert (row.model, row.tokens, row.llm_calls) == ("offline", 0, 1)


def test_api_requests_count_per_key(alice) -> None:
    raw = make_key(alice)
    client = ApiClient(raw)
    client.get("/api/v1/me")
    client.get("/api/v1/conversations")
    [row] = UsageDay.objects.all()
    assert row.api_requests == 2 and raw.startswith(f"lmo_{row.key_prefix}_")


def test_concurrent_style_increments_land_on_one_row(alice) -> None:
    organisation_id = current_membership(alice).organisation_id
    for _ in range(3):
        record_usage(
            user_id=alice.pk,
            organisation_id=organisation_id,
            model="m",
            prompt_tokens=10,
            completion_tokens=5,
            llm_calls=1,
        )
    [row] = UsageDay.objects.all()
    assert (row.prompt_tokens, row.completion_tokens, row.llm_calls) == (30, 15, 3)


def test_the_usage_tab_shows_my_figures_and_the_organisation_to_managers_only(
    alice, bob, login_verified
) -> None:
    organisation = create_organisation(user=alice, name="Acme")
    switch_organisation(membership=Membership.objects.get(user=alice, organisation=organisation))
    bobs = Membership.objects.create(organisation=organisation, user=bob, role=Role.MEMBER)
    switch_organisation(membership=bobs)
    record_usage(user_id=alice.pk, organisation_id=organisation.pk, model="m", prompt_tokens=100)
    record_usage(user_id=bob.pk, organisation_id=organisation.pk, model="m", prompt_tokens=7)

    alice_client = login_verified(Client(), alice)
    mine = alice_client.get("/settings/usage/").content.decode()
    assert "<dd>100</dd>" in mine and "data-chart" in mine
    whole = alice_client.get("/settings/usage/?of=organisation").content.decode()
    assert "<dd>107</dd>" in whole and "bob@example.com" in whole

    bob_client = login_verified(Client(), bob)
    # A member asking for the organisation's figures gets their own.
    theirs = bob_client.get("/settings/usage/?of=organisation").content.decode()
    assert "<dd>7</dd>" in theirs and "alice@example.com" not in theirs
    csv = b"".join(bob_client.get("/usage/export.csv?of=organisation").streaming_content).decode()
    lines = csv.strip().splitlines()
    assert lines[0].startswith("day,organisation,user") and len(lines) == 2
    assert "bob@example.com" in lines[1] and "alice" not in csv


def test_a_price_table_estimates_the_cost(settings) -> None:
    settings.LMO_LLM_PRICES = {"gpt-test": (Decimal("0.15"), Decimal("0.60"))}
    assert cost("gpt-test", 1_000_000, 500_000) == Decimal("0.45")
    assert cost("other", 10, 10) is None


def test_the_api_answers_the_callers_own_figures_and_quotas(alice, bob, settings) -> None:
    settings.LMO_LLM_PRICES = {"gpt-test": (Decimal("2"), Decimal("8"))}
    me = current_membership(alice)
    me.organisation.monthly_token_quota = 1000
    me.organisation.save()
    for user in (alice, bob):  # bob's figures (another organisation) never show
        record_usage(
            user_id=user.pk,
            organisation_id=current_membership(user).organisation_id,
            model="gpt-test",
            prompt_tokens=100,
            completion_tokens=50,
            llm_calls=1,
        )
    record_usage(
        user_id=alice.pk,
        organisation_id=me.organisation_id,
        key_prefix="k1",
        machine_commands=2,
    )
    client = ApiClient(make_key(alice))
    body = client.get("/api/v1/usage", days=7).json()
    assert body["organisation_id"] == me.organisation_id
    totals = body["totals"]
    # The request itself is logged after it is answered: it counts from the next one on.
    assert (totals["prompt_tokens"], totals["completion_tokens"], totals["llm_calls"]) == (
        100,
        50,
        1,
    )
    assert totals["machine_commands"] == 2
    assert {row["key_prefix"] for row in body["per_key"]} == {"", "k1"}
    [model] = body["per_model"]
    assert model["model"] == "gpt-test" and model["estimated_cost"] == 0.0006
    assert body["quotas"] == [{"whose": "organisation", "quota": 1000, "used": 150, "percent": 15}]
    assert client.get("/api/v1/usage", days=0).status_code == 422
    again = client.get("/api/v1/usage").json()
    assert again["totals"]["api_requests"] == 2  # the two answered before it
