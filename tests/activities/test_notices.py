"""Notifications from the user's own activity: large money out (at their threshold, once
per transaction), job applications and their status changes, imports that finished or
failed (uploaded, and the computer's watched folder), unusual spending in a category."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from activities.actions.edit import change_status
from activities.actions.ingest import ingest_from_agent
from activities.insights import check_unusual_spending
from activities.models import Activity, PendingImport
from activities.tasks import unusual_spending
from agent_bridge.local_agent.listeners import Tracking
from agent_bridge.local_agent.listeners.folder import StatementFolder
from agent_bridge.local_agent.state import State
from agent_bridge.models import Agent
from notifications.models import Category, Notification, NotificationSettings
from tests.activities.conftest import job, spend, store

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"


def _notes(user: Any, category: str | None = None) -> list[Notification]:
    found = Notification.objects.filter(owner=user).order_by("pk")
    return list(found.filter(category=category) if category else found)


def test_a_large_transaction_and_a_job_application_each_notify_once(alice: Any) -> None:
    """The finding: a 9,999 EUR transaction and a job application raised 0 notifications."""
    store(
        alice,
        spend("big", "-9999.00", merchant="Garage Huber", description="Car repair"),
        spend("small", "-12.50"),
        spend("salary", "9999.00", category="salary"),  # money in is not "large spending"
        job("acme", "Acme", "Backend Engineer"),
    )
    (large,) = _notes(alice, Category.TRANSACTION)
    assert large.title == "Large transaction: 9,999.00 EUR at Garage Huber"
    assert "Car repair" in large.body and "500.00" in large.body
    big = Activity.objects.get(owner=alice, external_id="big")
    assert large.link == reverse("activities:detail", args=[big.pk])
    (applied,) = _notes(alice, Category.JOB)
    assert applied.title == "New job application — Applied: Backend Engineer at Acme"
    # Sent again (a replay), or deleted and imported again: nothing twice.
    store(alice, spend("big", "-9999.00"), job("acme", "Acme"))
    Activity.objects.filter(owner=alice).delete()
    store(alice, spend("big", "-9999.00"), job("acme", "Acme", "Backend Engineer"))
    assert len(_notes(alice)) == 2


def test_the_threshold_is_the_users_setting(alice: Any, bob: Any) -> None:
    NotificationSettings.objects.create(owner=alice, large_transaction_amount=Decimal("100"))
    store(alice, spend("a", "-100.00"), spend("b", "-99.99"))
    store(bob, spend("a", "-100.00"))  # bob keeps the default, 500
    assert [n.title for n in _notes(alice)] == ["Large transaction: 100.00 EUR at Tesco"]
    assert _notes(bob) == []


def test_a_statement_full_of_large_payments_tells_five_then_one_summary(alice: Any) -> None:
    store(alice, *[spend(f"rent-{m}", "-1200.00", days_ago=m / 2) for m in range(8)])
    titles = [n.title for n in _notes(alice, Category.TRANSACTION)]
    assert titles[:5] == ["Large transaction: 1,200.00 EUR at Tesco"] * 5
    assert titles[5:] == ["3 more large transactions"]
    summary = _notes(alice)[-1]
    assert "type=financial" in summary.link and "min=500" in summary.link


def test_an_old_large_payment_is_left_to_the_import_s_notification(alice: Any) -> None:
    store(alice, spend("last-year", "-5000.00", days_ago=300), spend("new", "-600", days_ago=2))
    assert [n.title for n in _notes(alice)] == ["Large transaction: 600.00 EUR at Tesco"]


def test_every_job_status_change_notifies(alice: Any) -> None:
    store(alice, job("globex", "Globex", "Designer"))
    application = Activity.objects.get(owner=alice, external_id="globex")
    change_status(activity=application, status="interview")
    change_status(activity=application, status="interview")  # no change: nothing
    change_status(activity=application, status="offer", note="Yes!")
    titles = [n.title for n in _notes(alice, Category.JOB)]
    assert titles == [
        "New job application — Applied: Designer at Globex",
        "Interviewing: Designer at Globex",
        "Offer: Designer at Globex",
    ]


def test_a_job_moved_on_the_page_notifies(alice: Any, alice_client: Client) -> None:
    store(alice, job("initech", "Initech"))
    application = Activity.objects.get(owner=alice, external_id="initech")
    alice_client.post(reverse("activities:status", args=[application.pk]), {"status": "rejected"})
    assert _notes(alice, Category.JOB)[-1].title == "Rejected: Engineer at Initech"


def test_an_uploaded_import_says_what_it_added(alice: Any, alice_client: Client) -> None:
    upload = reverse("activities:import")
    store(alice, spend("chase-x", "-1"))
    with (FILES / "chase.csv").open("rb") as handle:
        alice_client.post(upload, {"file": handle})
    pending = PendingImport.objects.get(owner=alice)
    alice_client.post(reverse("activities:import_confirm", args=[pending.pk]))
    (finished,) = _notes(alice, Category.IMPORT)
    assert finished.title == "Import finished: chase.csv"
    assert finished.body.startswith("4 new, 0 already there, 0 rejected")
    # The same file again: a new import, with what it found.
    with (FILES / "chase.csv").open("rb") as handle:
        alice_client.post(upload, {"file": handle})
    pending = PendingImport.objects.get(owner=alice)
    alice_client.post(reverse("activities:import_confirm", args=[pending.pk]))
    assert _notes(alice, Category.IMPORT)[-1].body.startswith("0 new, 4 already there")


def test_an_upload_that_cannot_be_read_says_why(alice: Any, alice_client: Client) -> None:
    for _ in range(2):  # the same file twice: told once
        with (FILES / "bad-amount.csv").open("rb") as handle:
            response = alice_client.post(reverse("activities:import"), {"file": handle})
        assert response.status_code == 400
    (failed,) = _notes(alice, Category.IMPORT)
    assert failed.title == "Import failed: bad-amount.csv"
    assert failed.body.startswith("Nothing was imported. line ")


def _settled(path: Path) -> None:
    import os

    old = datetime.now(UTC).timestamp() - 60
    os.utime(path, (old, old))


def test_the_watched_folder_reports_each_file(alice: Any, tmp_path: Path) -> None:
    """The agent reads the folder and sends a report after each file's transactions; LMO
    turns it into "Statement read" or "Import failed" (with the first error's line)."""
    agent = Agent.objects.create(owner=alice, name="Laptop")
    folder = tmp_path / "Statements"
    folder.mkdir()
    for name in ("monzo.csv", "bad-amount.ofx"):
        shutil.copy(FILES / name, folder / name)
        _settled(folder / name)
    state = State(tmp_path / "state.sqlite3")
    StatementFolder(folder, state).scan(Tracking())
    batch = state.next_batch(1000)
    assert batch is not None
    outcomes = ingest_from_agent(agent, batch[1])
    assert {o.status for o in outcomes} == {"accepted"}
    notes = {n.title: n for n in _notes(alice, Category.IMPORT)}
    assert set(notes) == {"Statement read: monzo.csv", "Import failed: bad-amount.ofx"}
    assert notes["Statement read: monzo.csv"].body.startswith("3 transactions, read as Monzo")
    assert "line" in notes["Import failed: bad-amount.ofx"].body
    # The reports are told, not kept among the user's activities.
    assert not Activity.objects.filter(owner=alice, type="system").exists()
    assert Activity.objects.filter(owner=alice, type="financial").count() == 3
    # The agent sends the batch again (its answer was lost): nothing twice.
    ingest_from_agent(agent, batch[1])
    assert len(_notes(alice, Category.IMPORT)) == 2


def test_a_report_that_is_not_one_is_just_a_system_event(alice: Any) -> None:
    agent = Agent.objects.create(owner=alice, name="Laptop")
    item = {
        "id": "r1",
        "type": "system",
        "application": "LMO agent",
        "timestamp": datetime.now(UTC).isoformat(),
        "description": "Odd report",
        "details": {"statement": {"file": "", "transactions": -4}},
    }
    assert [o.status for o in ingest_from_agent(agent, [item])] == ["accepted"]
    assert _notes(alice) == []
    assert Activity.objects.filter(owner=alice, external_id="r1").exists()  # kept as an event


def _month_back(now: datetime, months: int, day: int = 10) -> datetime:
    index = now.year * 12 + now.month - 1 - months
    return datetime(index // 12, index % 12 + 1, day, 12, tzinfo=UTC)


NOW = datetime(2026, 12, 20, 9, tzinfo=UTC)


def _history(user: Any, monthly: list[str], this_month: str, category: str = "groceries") -> None:
    items = [
        {
            **spend(f"{category}-{back}", f"-{amount}", category=category),
            "timestamp": _month_back(NOW, back).isoformat(),
        }
        for back, amount in enumerate(monthly, start=1)
    ]
    items.append(
        {
            **spend(f"{category}-now", f"-{this_month}", category=category),
            "timestamp": _month_back(NOW, 0, day=5).isoformat(),
        }
    )
    store(user, *items)


def test_unusual_spending_is_told_once_per_category_and_month(alice: Any) -> None:
    alice.time_zone = "UTC"
    alice.save()
    _history(alice, ["100", "120", "90"], "180")  # usual: 100, this month 80% above
    _history(alice, ["300", "310", "290"], "320", category="rent")  # within the margin
    assert check_unusual_spending(alice, now=NOW) == 1
    assert check_unusual_spending(alice, now=NOW) == 1  # the same notification, not a new one
    (note,) = [n for n in _notes(alice) if n.title.startswith("Unusual")]
    assert note.title == "Unusual spending on groceries: 180.00 EUR this month"
    assert "80% above your usual 100.00 EUR a month" in note.body
    assert "September to November" in note.body
    assert len([n for n in _notes(alice) if n.title.startswith("Unusual")]) == 1


def test_unusual_spending_waits_for_a_month_of_data_and_follows_the_settings(
    alice: Any, bob: Any
) -> None:
    for user in (alice, bob):
        user.time_zone = "UTC"
        user.save()
    _history(alice, [], "900")  # the first month of data: nothing to compare with
    assert check_unusual_spending(alice, now=NOW) == 0
    _history(bob, ["100", "100", "100"], "140")
    NotificationSettings.objects.create(owner=bob, unusual_spending_percent=50)
    assert check_unusual_spending(bob, now=NOW) == 0  # 40% above: under bob's margin
    NotificationSettings.objects.filter(owner=bob).update(unusual_spending_percent=30)
    NotificationSettings.objects.filter(owner=bob).update(unusual_spending=False)
    assert check_unusual_spending(bob, now=NOW) == 0  # switched off
    NotificationSettings.objects.filter(owner=bob).update(unusual_spending=True)
    assert check_unusual_spending(bob, now=NOW) == 1


def test_the_daily_task_checks_everyone_spending_lately(alice: Any) -> None:
    now = datetime.now(UTC)
    items = [
        {**spend(f"g-{back}", "-50"), "timestamp": _month_back(now, back).isoformat()}
        for back in (1, 2, 3)
    ]
    items.append({**spend("g-now", "-400"), "timestamp": (now - timedelta(seconds=1)).isoformat()})
    store(alice, *items)
    assert unusual_spending() == 1
    assert _notes(alice)[-1].title.startswith("Unusual spending on groceries")
