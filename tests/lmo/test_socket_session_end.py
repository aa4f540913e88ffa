"""A page socket ends with its session (issue "Hardening"): each event that ends a session
closes its sockets within a second with an application close code, and a socket looks at
its session again before it acts on any frame. Runs in the embedded and the scaled mode
(in-memory and Redis channel layers)."""

from __future__ import annotations

import time

import pytest
from allauth.usersessions.models import UserSession
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from chat.models import Conversation, Message
from lmo.accounts.models import User
from lmo.accounts.sessions import SEEN_AT_KEY
from lmo.live.auth import (
    CLOSE_NOT_SIGNED_IN,
    CLOSE_SECOND_FACTOR,
    CLOSE_SESSION_CHANGED,
    CLOSE_SESSION_EXPIRED,
)
from tests.conftest import verified_session_key
from tests.lmo.test_live_socket import _communicator, _refusal

pytestmark = [pytest.mark.django_db(transaction=True)]
WITHIN = 1.0  # seconds: how soon the server closes the socket


async def _open(key: str) -> WebsocketCommunicator:
    communicator = _communicator(key)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _close_code(communicator: WebsocketCommunicator, within: float = WITHIN) -> int:
    started = time.monotonic()
    while True:
        left = within - (time.monotonic() - started)
        output = await communicator.receive_output(timeout=max(left, 0.01))
        if output["type"] == "websocket.close":
            return int(output["code"])


async def _stays_open(communicator: WebsocketCommunicator) -> None:
    assert await communicator.receive_nothing(timeout=0.5)


_session = sync_to_async(verified_session_key)


@sync_to_async
def _client(key: str) -> Client:
    client = Client()
    client.cookies["sessionid"] = key
    return client


async def test_signing_out_closes_the_sessions_sockets_not_the_others(alice):
    key, other = await _session(alice), await _session(alice)
    socket, other_socket = await _open(key), await _open(other)
    client = await _client(key)
    response = await sync_to_async(client.post)("/accounts/logout/")
    assert response.status_code == 302
    assert await _close_code(socket) == CLOSE_NOT_SIGNED_IN
    await _stays_open(other_socket)
    assert await _refusal(_communicator(key)) == CLOSE_NOT_SIGNED_IN
    await socket.disconnect()
    await other_socket.disconnect()


async def test_idle_expiry_closes_the_socket(alice):
    key = await _session(alice)

    @sync_to_async
    def idle_for_almost_the_timeout() -> None:
        store = Client().session.__class__(key)
        store[SEEN_AT_KEY] = time.time() - settings.LMO_SESSION_IDLE_TIMEOUT + 0.5
        store.save()

    await idle_for_almost_the_timeout()
    socket = await _open(key)
    assert await _close_code(socket, within=0.5 + WITHIN) == CLOSE_SESSION_EXPIRED
    await socket.disconnect()


async def test_a_frame_counts_as_activity_against_the_idle_timeout(alice):
    key = await _session(alice)

    @sync_to_async
    def seen_at() -> float:
        return float(Client().session.__class__(key)[SEEN_AT_KEY])

    @sync_to_async
    def seen_long_ago() -> None:
        store = Client().session.__class__(key)
        store[SEEN_AT_KEY] = time.time() - 3600
        store.save()

    await seen_long_ago()
    socket = await _open(key)
    await socket.send_json_to({"type": "ping", "id": "p1"})
    assert (await socket.receive_json_from(timeout=3))["type"] == "pong"
    assert time.time() - await seen_at() > 3000  # a ping is not activity
    conversation = await sync_to_async(Conversation.objects.create)(owner=alice, title="t")
    await socket.send_json_to({"type": "chat.join", "conversation": conversation.pk})
    assert (await socket.receive_json_from(timeout=3))["type"] == "chat.joined"
    assert time.time() - await seen_at() < 60
    await socket.disconnect()


async def test_a_password_change_closes_the_sockets_of_other_sessions(alice):
    key = await _session(alice)
    socket = await _open(key)

    @sync_to_async
    def change_password() -> None:
        user = User.objects.get(pk=alice.pk)
        user.set_password("a new and long password 42")
        user.save()

    await change_password()
    assert await _close_code(socket) == CLOSE_SESSION_CHANGED
    # The page reconnects with the cookie it has: that session's password hash is stale.
    assert await _refusal(_communicator(key)) == CLOSE_NOT_SIGNED_IN
    await socket.disconnect()


async def test_removing_the_second_factor_closes_the_sockets(alice):
    socket = await _open(await _session(alice))
    await sync_to_async(lambda: TOTPDevice.objects.filter(user=alice).delete())()
    assert await _close_code(socket) == CLOSE_SECOND_FACTOR
    await socket.disconnect()


async def test_deactivating_the_account_closes_every_socket(alice):
    sockets = [await _open(await _session(alice)) for _ in range(2)]
    await sync_to_async(User.objects.filter(pk=alice.pk).update)(is_active=False)
    await _stays_open(sockets[0])  # an UPDATE sends no signal: the next frame finds out
    user = await sync_to_async(User.objects.get)(pk=alice.pk)
    await sync_to_async(user.save)()
    for socket in sockets:
        assert await _close_code(socket) == CLOSE_NOT_SIGNED_IN
        await socket.disconnect()


async def test_deleting_the_account_closes_every_socket(alice, bob):
    socket = await _open(await _session(alice))
    bobs = await _open(await _session(bob))
    await sync_to_async(lambda: User.objects.get(pk=alice.pk).delete())()
    assert await _close_code(socket) == CLOSE_NOT_SIGNED_IN
    await _stays_open(bobs)
    await socket.disconnect()
    await bobs.disconnect()


async def test_an_admin_deleting_a_session_closes_its_sockets(alice):
    key = await _session(alice)
    socket = await _open(key)
    await sync_to_async(UserSession.objects.create)(
        user=alice, session_key=key, ip="127.0.0.1", user_agent="test"
    )
    # The admin's list of sessions is allauth's: deleting a row ends the session itself.
    await sync_to_async(lambda: UserSession.objects.filter(session_key=key).delete())()
    assert await _close_code(socket) == CLOSE_SESSION_CHANGED
    assert await _refusal(_communicator(key)) == CLOSE_NOT_SIGNED_IN
    assert not await sync_to_async(Session.objects.filter(session_key=key).exists)()
    await socket.disconnect()


async def test_a_frame_on_a_socket_whose_session_is_gone_is_not_acted_on(alice):
    key = await _session(alice)
    socket = await _open(key)
    conversation = await sync_to_async(Conversation.objects.create)(owner=alice, title="t")

    @sync_to_async
    def vanish_without_a_signal() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_session WHERE session_key = %s", [key])
        caches["default"].clear()

    await vanish_without_a_signal()
    await socket.send_json_to(
        {
            "type": "chat.send",
            "conversation": conversation.pk,
            "client_id": "stolen1",
            "content": "run something",
        }
    )
    assert await _close_code(socket) == CLOSE_SESSION_CHANGED
    assert await sync_to_async(Message.objects.count)() == 0
    await socket.disconnect()
