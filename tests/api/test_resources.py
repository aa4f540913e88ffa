"""The API's resources with real keys: conversations, messages and runs, activities,
computers; outsiders get 404s, retries do nothing twice, GETs answer 304."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.utils import timezone

from activities.models import Activity
from agent_bridge.models import Agent
from chat.models import Conversation, Message
from lmo.api.models import ApiKey
from tests.api.conftest import ApiClient, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(alice: Any) -> ApiClient:
    return ApiClient(make_key(alice))


def _conversation(user: Any, title: str = "Plans") -> Conversation:
    return Conversation.objects.create(owner=user, title=title)


def test_conversations_are_created_listed_paged_read_and_deleted(api, alice) -> None:
    created = api.post("/api/v1/conversations", {"title": "From a script"})
    assert created.status_code == 201
    first = created.json()["id"]
    for n in range(3):
        _conversation(alice, f"old {n}")
    page = api.get("/api/v1/conversations", limit=2).json()
    assert [c["title"] for c in page["items"]] == ["old 2", "old 1"]
    rest = api.get("/api/v1/conversations", limit=2, before=page["next_before"]).json()
    assert [c["title"] for c in rest["items"]] == ["old 0", "From a script"]
    assert rest["next_before"] is None
    detail = api.get(f"/api/v1/conversations/{first}").json()
    assert detail["title"] == "From a script" and detail["messages"] == []
    assert api.delete(f"/api/v1/conversations/{first}").status_code == 204
    assert not Conversation.objects.filter(pk=first).exists()


def test_another_users_conversation_message_and_run_are_404(api, bob) -> None:
    theirs = _conversation(bob, "Bob's")
    question = Message.objects.create(conversation=theirs, sender="user", content="secret")
    for response in (
        api.get(f"/api/v1/conversations/{theirs.pk}"),
        api.delete(f"/api/v1/conversations/{theirs.pk}"),
        api.post(f"/api/v1/conversations/{theirs.pk}/messages", {"content": "hi"}),
        api.get(f"/api/v1/runs/{question.pk}"),
    ):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    assert Conversation.objects.filter(pk=theirs.pk).exists()
    assert theirs.messages.count() == 1


def test_a_retried_post_with_an_idempotency_key_posts_once(api, alice) -> None:
    conversation = _conversation(alice)
    path = f"/api/v1/conversations/{conversation.pk}/messages"
    headers = {"Idempotency-Key": "retry-1"}
    first = api.post(path, {"content": "What did I spend?"}, headers=headers)
    again = api.post(path, {"content": "What did I spend?"}, headers=headers)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert first.json() == again.json()
    assert first.json()["run"]["state"] == "queued"
    assert conversation.messages.count() == 1
    other = api.post(path, {"content": "Something else"}, headers=headers)
    assert other.status_code == 409
    assert (
        api.post(path, {"content": "x"}, headers={"Idempotency-Key": "no spaces"}).status_code
        == 400
    )


def test_every_post_replays_its_first_answer(api, alice) -> None:
    created = [
        api.post("/api/v1/conversations", {"title": "Trip"}, headers={"Idempotency-Key": "c1"})
        for _ in range(2)
    ]
    assert [r.status_code for r in created] == [201, 201]
    assert created[0].json() == created[1].json()
    assert Conversation.objects.filter(owner=alice, title="Trip").count() == 1

    batch = {
        "items": [
            {
                "id": "k1",
                "type": "other",
                "timestamp": "2026-11-02T10:00:00Z",
                "description": "Walked",
            }
        ]
    }
    sent = [
        api.post("/api/v1/activities", batch, headers={"Idempotency-Key": "b1"}) for _ in range(2)
    ]
    assert sent[0].json() == sent[1].json() and sent[1]["Idempotent-Replayed"] == "true"
    assert sent[0].json()["items"][0]["status"] == "accepted"
    assert Activity.objects.filter(owner=alice, external_id="k1").count() == 1


def test_an_idempotency_key_keeps_only_a_successful_answer(api, alice) -> None:
    headers = {"Idempotency-Key": "fix-and-retry"}
    bad = api.post("/api/v1/conversations", {"title": "x" * 500}, headers=headers)
    assert bad.status_code == 422
    # Nothing was applied, so the corrected retry runs.
    good = api.post("/api/v1/conversations", {"title": "Fine"}, headers=headers)
    assert good.status_code == 201 and "Idempotent-Replayed" not in good
    other = api.post("/api/v1/conversations", {"title": "Other"}, headers=headers)
    assert other.status_code == 409
    assert "different request" in other.json()["detail"]


def test_a_revoked_key_gets_no_replay(alice) -> None:
    raw = make_key(alice)
    api = ApiClient(raw)
    headers = {"Idempotency-Key": "r1"}
    assert api.post("/api/v1/conversations", {}, headers=headers).status_code == 201
    ApiKey.objects.filter(user=alice).update(revoked_at=timezone.now())
    assert api.post("/api/v1/conversations", {}, headers=headers).status_code == 401


def test_invalid_bodies_get_422_problems_that_name_the_field(api, alice) -> None:
    conversation = _conversation(alice)
    response = api.post(f"/api/v1/conversations/{conversation.pk}/messages", {"content": ""})
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "content"
    assert "content" in problem["detail"]
    assert conversation.messages.count() == 0


def test_text_with_a_nul_is_a_422_that_names_the_field(api, alice) -> None:
    """PostgreSQL keeps no NUL in text: refused up front, never a 500 (schemathesis found it)."""
    titled = api.post("/api/v1/conversations", {"title": "a\x00b"})
    assert titled.status_code == 422
    assert titled.json()["errors"][0]["field"] == "title"
    assert "NUL" in titled.json()["detail"]
    conversation = _conversation(alice)
    posted = api.post(f"/api/v1/conversations/{conversation.pk}/messages", {"content": "hi\x00"})
    assert posted.status_code == 422 and "content" in posted.json()["detail"]
    completion = api.post(
        "/api/v1/chat/completions",
        {
            "model": "lmo",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "\x00"}]}],
        },
    )
    assert completion.status_code == 422
    assert "messages.0.content.0.text" in completion.json()["detail"]
    batch = {"items": [_item(1), {**_item(2), "description": "Coffee\x00"}]}
    result = api.post("/api/v1/activities", batch).json()
    assert (result["accepted"], result["rejected"]) == (1, 1)
    assert "NUL" in result["items"][1]["reason"]
    assert conversation.messages.count() == 0
    assert Activity.objects.filter(owner=alice).count() == 1


def test_the_schema_says_what_the_inputs_refuse(client) -> None:
    """schemathesis generates what the schema allows: it must not allow a NUL, a blank
    message (both refused as 422)."""
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    title = components["ConversationIn"]["properties"]["title"]
    assert re.match(title["pattern"], "Plans") and not re.match(title["pattern"], "a\x00b")
    content = components["MessageIn"]["properties"]["content"]
    assert re.match(content["pattern"], " hi ")
    assert not re.match(content["pattern"], " \t\n") and not re.match(content["pattern"], "x\x00")
    query = schema["paths"]["/api/v1/activities"]["get"]["parameters"]
    assert all("pattern" in p["schema"] for p in query if p["schema"].get("type") == "string")
    # Answers keep their plain types: the rule is about what comes in.
    assert "pattern" not in components["ConversationOut"]["properties"]["title"]


def test_replying_to_a_message_that_is_not_in_the_conversation_is_404(api, alice, bob) -> None:
    conversation = _conversation(alice)
    elsewhere = Message.objects.create(conversation=_conversation(bob), sender="user", content="x")
    for parent in (elsewhere.pk, elsewhere.pk + 1000):
        posted = api.post(
            f"/api/v1/conversations/{conversation.pk}/messages",
            {"content": "hi", "parent_id": parent},
        )
        assert posted.status_code == 404, posted.content
        assert "no longer exists" in posted.json()["detail"]
    assert conversation.messages.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_posted_message_is_answered_by_the_assistant(
    alice, settings, tmp_path, task_worker
) -> None:
    settings.LMO_LLM_BASE_URL = None
    settings.LMO_LLM_API_KEY = None
    settings.LMO_LLM_ENABLED = False
    settings.LMO_CHECKPOINT_PATH = tmp_path / "checkpoints.sqlite3"
    api = ApiClient(make_key(alice))
    conversation = _conversation(alice)
    posted = api.post(f"/api/v1/conversations/{conversation.pk}/messages", {"content": "hello"})
    assert posted.status_code == 202
    run_id = posted.json()["run"]["id"]
    deadline = time.monotonic() + 30
    run = api.get(f"/api/v1/runs/{run_id}").json()
    while run["state"] != "finished" and time.monotonic() < deadline:
        time.sleep(0.3)  # well inside the key's rate limit
        run = api.get(f"/api/v1/runs/{run_id}").json()
    assert run["state"] == "finished", run
    assert run["answer"]["sender"] == "assistant" and run["answer"]["content"]
    answer = Message.objects.get(answer_to_id=run_id)
    assert answer.run.origin == "api"


def test_get_answers_304_when_nothing_changed(api, alice) -> None:
    _conversation(alice)
    first = api.get("/api/v1/conversations")
    etag = first["ETag"]
    assert etag
    again = api.get("/api/v1/conversations", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    _conversation(alice, "new")
    assert api.get("/api/v1/conversations", headers={"If-None-Match": etag}).status_code == 200


def _item(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"api-{n}",
        "type": "financial",
        "timestamp": f"2026-11-0{n % 9 + 1}T10:00:00Z",
        "description": f"Coffee {n}",
        "amount": "-3.50",
        "currency": "EUR",
        "category": "food",
        **extra,
    }


def test_activities_are_added_in_batches_once_and_listed_with_filters(api, alice, bob) -> None:
    batch = {"items": [_item(1), _item(2), {"id": "bad", "type": "financial"}]}
    result = api.post("/api/v1/activities", batch).json()
    assert (result["accepted"], result["duplicate"], result["rejected"]) == (2, 0, 1)
    assert result["items"][2]["reason"]
    again = api.post("/api/v1/activities", batch).json()
    assert (again["accepted"], again["duplicate"]) == (0, 2)
    assert Activity.objects.filter(owner=alice, source="api").count() == 2
    Activity.objects.create(
        owner=bob,
        type="financial",
        occurred_at="2026-11-01T10:00:00Z",
        description="Bob's",
        external_id="b1",
        source="manual",
        amount=-1,
        currency="EUR",
    )
    listed = api.get("/api/v1/activities", q="Coffee 2").json()
    assert [a["description"] for a in listed["items"]] == ["Coffee 2"]
    everything = api.get("/api/v1/activities").json()["items"]
    assert {a["description"] for a in everything} == {"Coffee 1", "Coffee 2"}
    spending = api.get("/api/v1/activities/spending").json()
    assert spending == [
        {"currency": "EUR", "category": "food", "spent": "7.00", "income": "0.00", "count": 2}
    ]
    empty = api.get("/api/v1/activities", start="2026-12-01", end="2026-11-01")
    assert empty.status_code == 200 and empty.json()["items"] == []
    bad = api.get("/api/v1/activities", currency="EURO")
    assert bad.status_code == 422 and "currency" in bad.json()["detail"]


def test_a_batch_too_large_is_413_and_stores_nothing(api, alice) -> None:
    response = api.post("/api/v1/activities", {"items": [_item(n) for n in range(1001)]})
    assert response.status_code == 413
    assert not Activity.objects.exists()


def test_activities_need_their_scopes(alice) -> None:
    reader = ApiClient(make_key(alice, ["activities:read"]))
    assert reader.post("/api/v1/activities", {"items": [_item(1)]}).status_code == 403
    assert not Activity.objects.exists()


def test_computers_are_listed_with_status_and_actions(api, alice, bob) -> None:
    Agent.objects.create(
        owner=alice,
        name="Laptop",
        connected=True,
        capabilities=[{"name": "files", "actions": [{"name": "read"}, {"name": "list"}]}],
    )
    Agent.objects.create(owner=bob, name="Bob's desktop")
    [computer] = api.get("/api/v1/computers").json()
    assert computer["name"] == "Laptop" and computer["online"] is True
    assert computer["actions"] == [
        {"connector": "files", "action": "read"},
        {"connector": "files", "action": "list"},
    ]


def test_the_schema_and_docs_are_served_without_a_cdn(client) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/conversations" in paths and "/api/v1/activities" in paths
    assert schema.json()["components"]["securitySchemes"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in docs and "/static/" in docs
