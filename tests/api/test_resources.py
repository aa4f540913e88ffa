"""The API's resources with real keys: conversations, messages and runs, activities,
computers; outsiders get 404s, retries do nothing twice, GETs answer 304."""

from __future__ import annotations

import time
from typing import Any

import pytest

from activities.models import Activity
from agent_bridge.models import Agent
from chat.models import Conversation, Message
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
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["message"]["id"] == again.json()["message"]["id"]
    assert first.json()["run"]["state"] == "queued"
    assert conversation.messages.count() == 1
    other = api.post(path, {"content": "Something else"}, headers=headers)
    assert other.status_code == 409
    assert (
        api.post(path, {"content": "x"}, headers={"Idempotency-Key": "no spaces"}).status_code
        == 400
    )


def test_invalid_bodies_get_422_problems_that_name_the_field(api, alice) -> None:
    conversation = _conversation(alice)
    response = api.post(f"/api/v1/conversations/{conversation.pk}/messages", {"content": ""})
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "content"
    assert "content" in problem["detail"]
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
