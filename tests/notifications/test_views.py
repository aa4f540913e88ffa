"""The centre, reading, acting and deleting, and Settings -> Notifications; charlie is
the outsider who must get a 404."""

from __future__ import annotations

import pytest

from notifications.actions import notify
from notifications.handlers import NotificationAction
from notifications.models import Category, CategoryPreference, Notification, NotificationSettings

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def note(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return notify(
            owner=alice,
            category=Category.SECURITY,
            title="Something to decide",
            actions=[
                NotificationAction(
                    key="ok", label="Do it", handler="tests.record",
                    params={"owner": alice.pk, "what": "it"}, style="primary",
                )
            ],
        )  # fmt: skip


def test_the_centre_lists_filters_and_pages(alice, alice_client, note):
    for i in range(30):
        notify(owner=alice, category=Category.ASSISTANT, title=f"Answer {i}")
    page = alice_client.get("/notifications/").content.decode()
    assert "Answer 29" in page and "Something to decide" not in page  # 25 per page
    assert 'id="notification-list"' in page and "Page 1 of 2" in page
    second = alice_client.get("/notifications/?page=2").content.decode()
    assert "Something to decide" in second and 'id="notification-page"' in second
    security = alice_client.get("/notifications/?category=security", **HTMX).content.decode()
    assert "Something to decide" in security and "Answer" not in security
    assert "<h1>" not in security  # the partial only
    Notification.objects.filter(title__startswith="Answer").update(read_at=note.created_at)
    unread = alice_client.get("/notifications/?unread=1").content.decode()
    assert "Something to decide" in unread and "Answer 3" not in unread


def test_the_badge_counts_unread(alice_client, note):
    page = alice_client.get("/chat/").content.decode()
    assert 'id="notification-badge"' in page and 'data-count="1"' in page
    alice_client.post(f"/notifications/{note.pk}/read/")
    assert 'data-count="0"' in alice_client.get("/notifications/badge/").content.decode()


def test_acting_runs_the_handler_once(alice_client, note, handler_calls):
    response = alice_client.post(
        f"/notifications/{note.pk}/act/", {"key": "ok", "where": "toast"}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Recorded it" in body and 'id="toast-notification-' in body and "Do it" not in body
    again = alice_client.post(f"/notifications/{note.pk}/act/", {"key": "ok"}, **HTMX)
    assert "Already done: Recorded it" in again.content.decode()
    assert len(handler_calls) == 1
    note.refresh_from_db()
    assert note.acted_key == "ok" and note.read_at is not None


def test_unknown_action_keys_do_nothing(alice_client, note, handler_calls):
    response = alice_client.post(f"/notifications/{note.pk}/act/", {"key": "nope"}, **HTMX)
    assert "not offered" in response.content.decode()
    assert handler_calls == []


def test_a_refused_handler_changes_nothing(alice, bob, client, login_verified, handler_calls):
    # Bob's own notification whose action names alice's object: the handler refuses.
    with_alices = notify(
        owner=bob, category=Category.SECURITY, title="crafted",
        actions=[NotificationAction(key="ok", label="Do it", handler="tests.record", params={"owner": alice.pk})],
    )  # fmt: skip
    login_verified(client, bob)
    response = client.post(f"/notifications/{with_alices.pk}/act/", {"key": "ok"}, **HTMX)
    assert "Not yours." in response.content.decode() and "Do it" in response.content.decode()
    with_alices.refresh_from_db()
    assert with_alices.acted_at is None and handler_calls == []


def test_outsiders_get_404(client, charlie, login_verified, note, handler_calls):
    login_verified(client, charlie)
    for url in ("act/", "read/", "delete/"):
        assert client.post(f"/notifications/{note.pk}/{url}", {"key": "ok"}).status_code == 404
    assert client.get(f"/notifications/{note.pk}/").status_code == 404
    assert "Something to decide" not in client.get("/notifications/").content.decode()
    note.refresh_from_db()
    assert note.read_at is None and note.acted_at is None and handler_calls == []


def test_anonymous_users_are_sent_to_sign_in(client, note):
    response = client.post(f"/notifications/{note.pk}/act/", {"key": "ok"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_without_javascript_forms_redirect_back(alice_client, note, handler_calls):
    response = alice_client.post(
        f"/notifications/{note.pk}/act/", {"key": "ok", "next": "/notifications/?unread=1"}
    )
    assert response.status_code == 302 and response["Location"] == "/notifications/?unread=1"
    evil = alice_client.post(f"/notifications/{note.pk}/read/", {"next": "https://evil.example/"})
    assert evil["Location"] == "/notifications/"


def test_mark_all_read_and_delete(alice, alice_client, note):
    notify(owner=alice, category=Category.ASSISTANT, title="other")
    alice_client.post("/notifications/read-all/", {"category": "assistant"})
    assert list(Notification.objects.unread().values_list("title", flat=True)) == [note.title]
    alice_client.post("/notifications/read-all/")
    assert not Notification.objects.unread().exists()
    assert alice_client.post(f"/notifications/{note.pk}/delete/", **HTMX).status_code == 200
    assert not Notification.objects.filter(pk=note.pk).exists()


def test_opening_marks_read_and_follows_the_link(alice, alice_client):
    n = notify(owner=alice, category=Category.ASSISTANT, title="x", link="/chat/")
    response = alice_client.get(f"/notifications/{n.pk}/")
    assert response["Location"] == "/chat/"
    n.refresh_from_db()
    assert n.is_read


def _preferences_post(**overrides):
    data = {}
    for category in Category.values:
        data[f"{category}-in_app"] = "on"
        data[f"{category}-email"] = "on"
        data[f"{category}-email_min_priority"] = "30"
    data.update(
        {
            "urgent_breaks_quiet": "on",
            "large_transaction_amount": "250",
            "unusual_spending": "on",
            "unusual_spending_percent": "40",
            "computer_offline_minutes": "5",
        }
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_preferences_are_saved(alice, alice_client):
    page = alice_client.get("/settings/notifications/").content.decode()
    assert "Large transactions" in page and "Quiet hours" in page
    data = _preferences_post(
        **{
            "job-email": None,
            "job-email_min_priority": "10",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
        }
    )
    response = alice_client.post("/notifications/preferences/", data, **HTMX)
    assert "Saved." in response.content.decode()
    job = CategoryPreference.objects.get(owner=alice, category="job")
    assert job.email is False and job.email_min_priority == 10
    settings = NotificationSettings.objects.get(owner=alice)
    assert str(settings.quiet_start) == "22:00:00" and settings.large_transaction_amount == 250
    assert settings.unusual_spending and settings.unusual_spending_percent == 40


def test_bad_preferences_save_nothing(alice, alice_client):
    data = _preferences_post(
        **{"job-email": None, "quiet_start": "22:00", "security-email_min_priority": "99"}
    )
    response = alice_client.post("/notifications/preferences/", data, **HTMX)
    body = response.content.decode()
    assert "Give both ends of the quiet hours" in body and "Saved." not in body
    assert not CategoryPreference.objects.exists() and not NotificationSettings.objects.exists()
