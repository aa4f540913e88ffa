"""lmo.live.push: partials rendered for the socket, sent after commit, typed frames."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from pydantic import ValidationError

from activities.live import ActivitiesChanged
from lmo.accounts.models import User
from lmo.live import push
from notifications.models import Category, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(push, "group_send_sync", lambda group, event: events.append((group, event)))
    return events


def test_a_pushed_partial_has_no_csrf_field_and_the_page_has_one(
    alice: User, alice_client: Client
) -> None:
    note = Notification.objects.create(owner=alice, category=Category.ASSISTANT, title="Hello")
    pushed = push.render("notifications/_item.html", {"notification": note})
    assert f'hx-post="/notifications/{note.pk}/delete/"' in pushed
    assert "csrfmiddlewaretoken" not in pushed
    page = alice_client.get("/notifications/").content.decode()
    item = page[page.index(f'id="{note.dom_id}"') :]
    item = item[: item.index("</li>")]
    assert 'name="csrfmiddlewaretoken"' in item


def test_nothing_is_sent_for_a_transaction_that_rolls_back(
    sent: list[tuple[str, dict[str, Any]]], django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        push.send_on_commit("g", "<p>never</p>")
        push.send_frame_on_commit("g", ActivitiesChanged(added=1))
        raise RuntimeError
    with django_capture_on_commit_callbacks(execute=True):
        push.send_on_commit("g", lambda: "<p>rendered after commit</p>")
        push.send_frame_on_commit("g", ActivitiesChanged(added=2))
        assert sent == []
    assert sent == [
        ("g", {"type": "live.fragment", "html": "<p>rendered after commit</p>"}),
        ("g", {"type": "live.frame", "frame": {"type": "activities.changed", "added": 2}}),
    ]


def test_send_now_skips_the_socket_that_caused_it(sent: list[tuple[str, dict[str, Any]]]) -> None:
    push.send_now("g", "<p>typing</p>", skip_channel="me")
    assert sent == [("g", {"type": "live.fragment", "html": "<p>typing</p>", "skip_channel": "me"})]


def test_an_oob_delete_names_the_element() -> None:
    assert push.oob_delete("msg-7") == '<div id="msg-7" hx-swap-oob="delete"></div>'


def test_frames_are_typed() -> None:
    with pytest.raises(ValidationError):
        ActivitiesChanged(added="many")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        ActivitiesChanged(added=1, extra=True)  # type: ignore[call-arg]
