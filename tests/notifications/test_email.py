"""E-mail delivery: content (HTML + text), signed links, idempotent sending, the digest."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from notifications.actions import deliver_email, notify, send_digests
from notifications.actions.delivery import DeliveryFailed
from notifications.handlers import NotificationAction
from notifications.models import (
    Category,
    CategoryPreference,
    Delivery,
    NotificationSettings,
    Priority,
)

pytestmark = pytest.mark.django_db


def _notify(owner, **kwargs):
    defaults = {"category": Category.SECURITY, "title": "New sign-in", "priority": Priority.HIGH}
    return notify(owner=owner, **{**defaults, **kwargs})


def _link(text: str, kind: str) -> str:
    match = re.search(rf"http://testserver(/notifications/email/{kind}/[^\s\"<>]+)", text)
    assert match, text
    return match.group(1)


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.LMO_PUBLIC_URL = "http://testserver"


def test_an_email_has_html_text_and_one_click_links(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        n = _notify(
            alice,
            body="Firefox on Linux\nfrom 10.0.0.9",
            actions=[NotificationAction(key="a", label="Allow once", handler="tests.record")],
        )
    delivery = Delivery.objects.get(notification=n)
    assert deliver_email(delivery_id=delivery.pk) == "sent"
    [message] = mailoutbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "[LMO] New sign-in"
    assert "Firefox on Linux" in message.body and "to allow once:" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "<h1" in html and "Allow once in LMO" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and delivery.attempts == 1


def test_a_delivery_is_sent_once(alice, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        n = _notify(alice)
    delivery = Delivery.objects.get(notification=n)
    assert deliver_email(delivery_id=delivery.pk) == "sent"
    assert deliver_email(delivery_id=delivery.pk) == "skipped"
    assert len(mailoutbox) == 1


def test_a_refused_send_is_pending_again_then_failed(
    alice, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks():
        n = _notify(alice)
    delivery = Delivery.objects.get(notification=n)
    with pytest.raises(DeliveryFailed):
        deliver_email(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING and delivery.error
    assert deliver_email(delivery_id=delivery.pk, final_attempt=True) == "failed"
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED and delivery.attempts == 2


def test_the_open_link_marks_read_and_opens_it(
    alice, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        n = _notify(alice, link="/settings/security/")
    deliver_email(delivery_id=Delivery.objects.get(notification=n).pk)
    response = client.get(_link(mailoutbox[0].body, "open"))
    assert response.status_code == 302 and response["Location"] == "/settings/security/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_a_tampered_link_is_refused(alice, client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        n = _notify(alice)
    deliver_email(delivery_id=Delivery.objects.get(notification=n).pk)
    link = _link(mailoutbox[0].body, "open")
    assert client.get(link[:-3] + "xyz/").status_code == 404
    assert client.get(_link(mailoutbox[0].body, "stop")[:-4] + "abc/").status_code == 404


def test_the_stop_link_asks_then_switches_the_category_off(
    alice, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        n = _notify(alice)
    deliver_email(delivery_id=Delivery.objects.get(notification=n).pk)
    stop = _link(mailoutbox[0].body, "stop")
    assert b"Stop e-mails about account security" in client.get(stop).content
    assert not CategoryPreference.objects.exists()
    assert client.post(stop).status_code == 200  # RFC 8058 one-click: no CSRF token
    assert CategoryPreference.objects.get(owner=alice, category="security").email is False
    with django_capture_on_commit_callbacks():
        again = _notify(alice, title="again")
    assert not Delivery.objects.filter(notification=again).exists()


def test_the_digest_gathers_low_priority_and_held_mail(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    alice.time_zone = "Europe/Paris"
    alice.save()
    CategoryPreference.objects.create(owner=alice, category="job", email_min_priority=10)
    NotificationSettings.objects.create(
        owner=alice, quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0)
    )
    night = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC)  # 23:30 in Paris
    with django_capture_on_commit_callbacks(), time_machine.travel(night, tick=False):
        _notify(alice, category="job", title="Acme viewed your application", priority=Priority.LOW)
        _notify(alice, title="Held by quiet hours")
        _notify(bob, category="job", title="Bob's low one", priority=Priority.LOW)
    assert Delivery.objects.filter(state=Delivery.State.DIGEST).count() == 2  # bob: not e-mailed
    with time_machine.travel(night + dt.timedelta(hours=1), tick=False):
        assert send_digests() == 0  # still quiet for alice
    with time_machine.travel(night + dt.timedelta(hours=8), tick=False):
        assert send_digests() == 1
        assert send_digests() == 0  # sent once
    [digest] = mailoutbox
    assert digest.subject == "[LMO] 2 notifications while you were away"
    assert "Acme viewed your application" in digest.body and "Held by quiet hours" in digest.body
    assert "Acme viewed your application" in digest.alternatives[0][0]
    assert not Delivery.objects.exclude(state=Delivery.State.SENT).exists()


def test_email_link_of_another_user_changes_nothing_for_the_signed_in_one(
    alice, bob, client, login_verified, mailoutbox, django_capture_on_commit_callbacks
):
    """The finding (issue 23): another signed-in user could POST alice's stop link."""
    with django_capture_on_commit_callbacks():
        n = _notify(alice)
    deliver_email(delivery_id=Delivery.objects.get(notification=n).pk)
    stop, open_ = _link(mailoutbox[0].body, "stop"), _link(mailoutbox[0].body, "open")
    as_bob = login_verified(client, bob)
    for response in (as_bob.post(stop), as_bob.get(stop), as_bob.get(open_)):
        assert response.status_code == 403
        assert b"This link is for another account" in response.content
    assert not CategoryPreference.objects.exists()
    n.refresh_from_db()
    assert n.read_at is None
