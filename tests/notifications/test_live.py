"""Live delivery over the page socket (WebsocketCommunicator against the real router)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from notifications.actions import mark_read, notify
from notifications.models import Category, Priority
from tests.lmo.test_live_socket import _communicator, _verified_session

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _open(user) -> WebsocketCommunicator:
    communicator = _communicator(await _verified_session(user))
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _next_text(communicator: WebsocketCommunicator) -> str:
    return (await communicator.receive_output(timeout=5))["text"]


async def test_every_tab_gets_the_badge_and_toast_and_the_centre_its_item(alice, bob):
    tab, centre, other = await _open(alice), await _open(alice), await _open(bob)
    await centre.send_json_to({"type": "notifications.watch"})
    await centre.receive_nothing(0.2)  # joined (no reply)
    n = await sync_to_async(notify)(
        owner=alice, category=Category.SECURITY, priority=Priority.URGENT,
        title="Allow listing ~/Downloads?",
    )  # fmt: skip
    for communicator in (tab, centre):
        html = await _next_text(communicator)
        assert 'id="notification-badge"' in html and 'data-count="1"' in html
        assert f'id="toast-notification-{n.pk}"' in html and "data-sticky" not in html
        assert "Allow listing ~/Downloads?" in html
    item = await _next_text(centre)
    assert (
        'hx-swap-oob="afterbegin:#notification-list"' in item
        and f'id="notification-{n.pk}"' in item
    )
    assert await tab.receive_nothing(0.2) and await other.receive_nothing(0.2)

    await sync_to_async(mark_read)(notification=n)
    changed = await _next_text(centre)
    assert f'id="notification-{n.pk}"' in changed and "unread" not in changed.split(">")[0]
    for communicator in (tab, centre):
        texts = [await _next_text(communicator), await _next_text(communicator)]
        badge = next(t for t in texts if "notification-badge" in t)
        assert 'data-count="0"' in badge and " hidden" in badge
        frame = json.loads(next(t for t in texts if t.startswith("{")))
        assert frame == {"type": "notifications.resolved", "ids": [n.pk]}
    assert await other.receive_nothing(0.2)
    for communicator in (tab, centre, other):
        await communicator.disconnect()


async def test_quiet_hours_update_the_badge_without_a_toast(alice):
    import datetime as dt

    from notifications.models import NotificationSettings

    await sync_to_async(NotificationSettings.objects.create)(
        owner=alice, quiet_start=dt.time(0, 0), quiet_end=dt.time(23, 59, 59)
    )
    tab = await _open(alice)
    await sync_to_async(notify)(owner=alice, category=Category.ASSISTANT, title="Later")
    html = await _next_text(tab)
    assert 'data-count="1"' in html and "toast" not in html
    await tab.disconnect()


async def test_in_app_off_pushes_nothing(alice):
    from notifications.models import CategoryPreference

    await sync_to_async(CategoryPreference.objects.create)(
        owner=alice, category=Category.ASSISTANT, in_app=False
    )
    tab = await _open(alice)
    await sync_to_async(notify)(owner=alice, category=Category.ASSISTANT, title="Hidden")
    assert await tab.receive_nothing(0.3)
    await tab.disconnect()
