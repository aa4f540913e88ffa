"""The preference matrix: category x channel x priority x quiet hours, on a frozen clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.actions import notify
from notifications.models import (
    Category,
    CategoryPreference,
    Delivery,
    Notification,
    NotificationSettings,
    Priority,
)
from notifications.preferences import plan_delivery

PARIS = ZoneInfo("Europe/Paris")
# 23:30 in Paris (quiet under 22:00-07:00) and 12:00 in Paris (not quiet), in winter (UTC+1).
NIGHT = dt.datetime(2026, 1, 15, 22, 30, tzinfo=dt.UTC)
NOON = dt.datetime(2026, 1, 15, 11, 0, tzinfo=dt.UTC)


def _plan(*, in_app=True, email=True, min_priority=Priority.HIGH, priority, now, breaks=True):
    preference = CategoryPreference(in_app=in_app, email=email, email_min_priority=min_priority)
    quiet = NotificationSettings(
        quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0), urgent_breaks_quiet=breaks
    )
    return plan_delivery(
        preference=preference,
        user_settings=quiet,
        priority=priority,
        now=now,
        tz=PARIS,
        has_email=True,
    )


@pytest.mark.parametrize("in_app", [True, False])
@pytest.mark.parametrize("email", [True, False])
@pytest.mark.parametrize("priority", list(Priority))
@pytest.mark.parametrize("now", [NOON, NIGHT], ids=["day", "quiet-hours"])
def test_it_follows_the_matrix(in_app, email, priority, now):
    plan = _plan(in_app=in_app, email=email, priority=priority, now=now)
    quiet = now is NIGHT and priority != Priority.URGENT
    assert plan.in_app is in_app
    assert plan.toast is (in_app and not quiet)
    if not email or priority < Priority.HIGH:
        assert plan.email is None
    else:
        assert plan.email == ("digest" if quiet else "now")


def test_low_priority_email_only_goes_to_the_digest():
    plan = _plan(min_priority=Priority.LOW, priority=Priority.LOW, now=NOON)
    assert plan.email == "digest"
    assert _plan(min_priority=Priority.LOW, priority=Priority.NORMAL, now=NOON).email == "now"


def test_urgent_waits_in_quiet_hours_when_the_user_says_so():
    plan = _plan(priority=Priority.URGENT, now=NIGHT, breaks=False)
    assert plan.toast is False and plan.email == "digest"
    plan = _plan(priority=Priority.URGENT, now=NIGHT, breaks=True)
    assert plan.toast is True and plan.email == "now"


@pytest.mark.parametrize(
    ("start", "end", "local", "quiet"),
    [
        ((22, 0), (7, 0), (21, 59), False),
        ((22, 0), (7, 0), (22, 0), True),
        ((22, 0), (7, 0), (6, 59), True),
        ((22, 0), (7, 0), (7, 0), False),
        ((13, 0), (14, 0), (13, 30), True),
        ((13, 0), (14, 0), (14, 0), False),
    ],
)
def test_quiet_hours_are_read_on_the_users_clock(start, end, local, quiet):
    settings = NotificationSettings(quiet_start=dt.time(*start), quiet_end=dt.time(*end))
    moment = dt.datetime.combine(dt.date(2026, 7, 1), dt.time(*local), tzinfo=PARIS)
    assert settings.is_quiet(moment, PARIS) is quiet


def test_no_quiet_hours_without_both_ends():
    assert not NotificationSettings(quiet_start=dt.time(1, 0)).is_quiet(NIGHT, PARIS)


@pytest.mark.django_db
def test_it_applies_the_stored_preferences(alice, django_capture_on_commit_callbacks):
    alice.time_zone = "Europe/Paris"
    alice.save()
    NotificationSettings.objects.create(
        owner=alice, quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0)
    )
    CategoryPreference.objects.create(
        owner=alice, category=Category.JOB, in_app=False, email=True, email_min_priority=10
    )
    with django_capture_on_commit_callbacks():
        with time_machine.travel(NIGHT, tick=False):
            job = notify(owner=alice, category=Category.JOB, title="Acme moved you on")
            security = notify(
                owner=alice, category=Category.SECURITY, title="x", priority=Priority.URGENT
            )
        with time_machine.travel(NOON, tick=False):
            day = notify(owner=alice, category=Category.JOB, title="Globex replied")
    # In-app off: kept in the centre, never unread; e-mail held by quiet hours.
    assert job.in_app is False and job.read_at is not None
    assert Delivery.objects.get(notification=job).state == Delivery.State.DIGEST
    assert Delivery.objects.get(notification=day).state == Delivery.State.PENDING
    assert Delivery.objects.get(notification=security).state == Delivery.State.PENDING
    assert list(Notification.objects.unread().values_list("title", flat=True)) == ["x"]


@pytest.mark.django_db
def test_a_user_without_email_gets_no_email(alice, django_capture_on_commit_callbacks):
    alice.email = ""
    alice.save()
    with django_capture_on_commit_callbacks():
        notify(owner=alice, category=Category.SECURITY, title="x", priority=Priority.URGENT)
    assert not Delivery.objects.exists()
