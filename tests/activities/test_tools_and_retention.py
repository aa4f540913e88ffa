"""The assistant over activities (offline assistant and a real HTTP model), and the
daily retention clean-up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from activities.actions.imports import purge_pending_imports
from activities.actions.tracking import save_tracking
from activities.models import Activity, PendingImport
from activities.tasks import apply_retention
from activities.tools import period_bounds
from chat.models import Conversation
from lmo.testing.fake_llm import Reply
from tests.activities.conftest import job, spend, store
from tests.chat.test_pipeline import _run

pytestmark = pytest.mark.django_db(transaction=True)


def _last_month(days_into: int = 3) -> float:
    today = timezone.now().date()
    start, _ = period_bounds("last month", today)
    return (today - start).days - days_into + 0.5


def test_offline_assistant_answers_spending_with_a_chart(
    alice: Any, offline: None, settings: Any, tmp_path: Any
) -> None:
    store(
        alice,
        spend("g1", "-30.00", days_ago=_last_month(2)),
        spend("g2", "-12.25", days_ago=_last_month(5)),
        spend("r1", "-99.00", days_ago=_last_month(4), category="eating out"),
        spend("now", "-50.00", days_ago=0.1),  # this month: not counted
    )
    conversation = Conversation.objects.create(owner=alice)
    answer = _run(conversation, "What did I spend on groceries last month?")
    assert "You spent 42.25 EUR on groceries last month" in answer.content
    assert "2 transactions" in answer.content
    [chart] = [b for b in answer.blocks if b["kind"] == "chart"]
    assert sum(chart["figure"]["data"][0]["y"]) == pytest.approx(42.25)


def test_offline_assistant_records_and_lists_job_applications(alice: Any, offline: None) -> None:
    conversation = Conversation.objects.create(owner=alice)
    answer = _run(conversation, "I applied to Acme as backend engineer")
    assert "Recorded: Applied to Acme as backend engineer" in answer.content
    activity = Activity.objects.get(owner=alice)
    assert (activity.source, activity.company, activity.status) == ("assistant", "Acme", "applied")
    store(alice, job("j2", "Globex", days_ago=2))
    answer = _run(conversation, "show my job applications")
    assert "You have 2 job applications (2 applied)" in answer.content
    table = next(b for b in answer.blocks if b["kind"] == "table")
    assert {row[1] for row in table["rows"]} == {"Acme", "Globex"}
    answer = _run(conversation, "search my activities for globex")
    assert "Found 1 activity" in answer.content


def test_a_model_over_http_searches_and_records(alice: Any, fake_llm: Any) -> None:
    store(alice, spend("a1", "-15.00", merchant="Amazon", description="Amazon order"))
    fake_llm.script(
        Reply(tool="activities_search", args={"query": "amazon"}),
        Reply(
            tool="activities_record",
            args={
                "type": "financial",
                "description": "Cinema",
                "amount": "-12.00",
                "currency": "EUR",
                "category": "fun",
            },
        ),
        Reply(text="Done."),
    )
    conversation = Conversation.objects.create(owner=alice)
    answer = _run(conversation, "find amazon and note my cinema ticket")
    assert answer.content == "Done."
    replies = [m for m in fake_llm.requests[-1]["messages"] if m["role"] == "tool"]
    assert "Found 1 activity" in replies[0]["content"]
    assert "Recorded: Cinema" in replies[1]["content"]
    cinema = Activity.objects.get(owner=alice, description="Cinema")
    assert (cinema.source, str(cinema.amount)) == ("assistant", "-12.00")
    assert {t["function"]["name"] for t in fake_llm.requests[0]["tools"]} >= {
        "activities_search",
        "activities_spending",
        "activities_job_applications",
        "activities_record_job",
        "activities_record",
    }


def test_retention_deletes_only_what_is_older_than_each_type_allows(alice: Any, bob: Any) -> None:
    store(
        alice,
        spend("old", "-1", days_ago=40),
        spend("new", "-1", days_ago=10),
        job("oldjob", "Acme", days_ago=400),
    )
    store(bob, spend("bobs-old", "-1", days_ago=400))
    save_tracking(
        owner=alice, disabled_types=[], disabled_applications=[], retention_days={"financial": 30}
    )
    PendingImport.objects.create(owner=alice, name="x.csv", data=b"x")
    PendingImport.objects.filter(owner=alice).update(created_at=timezone.now() - timedelta(days=2))
    assert apply_retention() == 1
    assert set(Activity.objects.values_list("external_id", flat=True)) == {
        "new",
        "oldjob",
        "bobs-old",
    }
    assert not PendingImport.objects.exists()
    assert apply_retention() == 0
    assert purge_pending_imports() == 0
