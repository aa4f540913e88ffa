"""notify(): validation, dedupe, after-commit delivery, the e-mail queue, retention."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from notifications.actions import email_queue, notify, purge_notifications
from notifications.handlers import NotificationAction
from notifications.models import Category, Delivery, Notification, Priority

pytestmark = pytest.mark.django_db


def test_the_same_event_never_notifies_twice(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as first_callbacks:
        first = notify(
            owner=alice, category=Category.SECURITY, title="A", priority=Priority.HIGH,
            dedupe_key="sign-in:1",
        )  # fmt: skip
    with django_capture_on_commit_callbacks() as again_callbacks:
        again = notify(
            owner=alice, category=Category.SECURITY, title="B", priority=Priority.HIGH,
            dedupe_key="sign-in:1",
        )  # fmt: skip
    assert again.pk == first.pk and again.title == "A"
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1
    # The first pushed live and enqueued its e-mail; the duplicate added nothing.
    assert first_callbacks and again_callbacks == []


def test_dedupe_keys_are_per_user(alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        notify(owner=alice, category=Category.SECURITY, title="A", dedupe_key="k")
        notify(owner=bob, category=Category.SECURITY, title="A", dedupe_key="k")
    assert Notification.objects.count() == 2


def test_nothing_is_notified_when_the_callers_transaction_rolls_back(
    alice, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(owner=alice, category=Category.SECURITY, title="A", priority=Priority.URGENT)
        raise RuntimeError("the event did not happen after all")
    assert not Notification.objects.exists()
    assert callbacks == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"link": "https://evil.example.net/"}, "path in LMO"),
        (
            {"actions": [NotificationAction(key="x", label="X", handler="no.such")]},
            "No notification action handler",
        ),
        (
            {"actions": [NotificationAction(key="x", label="X", handler="tests.record")] * 2},
            "must differ",
        ),
    ],
)
def test_it_refuses_bad_notifications(alice, kwargs, message):
    with pytest.raises(ValueError, match=message):
        notify(owner=alice, category=Category.SECURITY, title="A", **kwargs)
    assert not Notification.objects.exists()


def test_unknown_categories_are_refused(alice):
    with pytest.raises(ValueError):
        notify(owner=alice, category="gossip", title="A")


def test_urgent_and_high_mail_uses_the_high_queue():
    assert [email_queue(p) for p in Priority] == ["default", "default", "high", "high"]


def test_old_notifications_are_purged(alice, settings, django_capture_on_commit_callbacks):
    settings.LMO_NOTIFICATION_RETENTION_DAYS = 30
    with django_capture_on_commit_callbacks():
        with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
            notify(owner=alice, category=Category.ASSISTANT, title="old")
        with time_machine.travel(dt.datetime(2026, 1, 25, tzinfo=dt.UTC), tick=False):
            notify(owner=alice, category=Category.ASSISTANT, title="recent")
    with time_machine.travel(dt.datetime(2026, 2, 5, tzinfo=dt.UTC), tick=False):
        assert purge_notifications() == 1
    assert list(Notification.objects.values_list("title", flat=True)) == ["recent"]
