from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from lmo.accounts.models import User
from lmo.asgi import application
from lmo.live import push
from lmo.live.auth import CLOSE_NOT_SIGNED_IN, CLOSE_SECOND_FACTOR
from lmo.live.frames import MAX_FRAME_BYTES
from lmo.live.groups import user_group
from tests.conftest import PASSWORD, verified_session_key

pytestmark = [pytest.mark.django_db(transaction=True)]

ORIGIN = b"http://localhost"


def _communicator(session_key: str | None, origin: bytes | None = ORIGIN) -> WebsocketCommunicator:
    headers: list[tuple[bytes, bytes]] = [(b"host", b"localhost")]
    if origin is not None:
        headers.append((b"origin", origin))
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    return WebsocketCommunicator(application, "/ws/live/", headers=headers)


_verified_session = sync_to_async(verified_session_key)


@sync_to_async
def _password_only_session(user: User) -> str:
    client = Client()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return client.cookies["sessionid"].value


async def _refusal(communicator: WebsocketCommunicator) -> Any:
    connected, _ = await communicator.connect()
    if not connected:
        return "handshake refused"
    output = await communicator.receive_output(timeout=2)
    await communicator.wait()
    return output.get("code")


async def test_anonymous_sockets_are_refused() -> None:
    assert await _refusal(_communicator(None)) == CLOSE_NOT_SIGNED_IN


async def test_password_only_sessions_are_refused(alice: User) -> None:
    key = await _password_only_session(alice)
    assert await _refusal(_communicator(key)) == CLOSE_SECOND_FACTOR


async def test_foreign_origins_are_refused(alice: User) -> None:
    key = await _verified_session(alice)
    communicator = _communicator(key, origin=b"https://evil.example.net")
    connected, _ = await communicator.connect()
    assert not connected
    communicator_no_origin = _communicator(key, origin=None)
    connected, _ = await communicator_no_origin.connect()
    assert not connected


@pytest.mark.parametrize(
    "origin",
    [
        b"http://evil.example@localhost",  # userinfo: Channels alone reads the host as localhost
        b"http://user:pw@localhost",
        b"null",
        b"http://localhost/path",
        b"http://localhost:99999",
        b"ftp://localhost",
        b"http://localhost?x=1",
    ],
)
async def test_page_socket_origin_with_userinfo_or_odd_parts_is_refused(
    alice: User, origin: bytes
) -> None:
    """The finding (issue 23): ``http://evil.example@127.0.0.1`` was accepted."""
    communicator = _communicator(await _verified_session(alice), origin=origin)
    connected, _ = await communicator.connect()
    assert not connected
    plain = _communicator(await _verified_session(alice), origin=b"http://localhost:80")
    connected, _ = await plain.connect()
    assert connected
    await plain.disconnect()


async def test_verified_sessions_connect_and_ping(alice: User) -> None:
    communicator = _communicator(await _verified_session(alice))
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_to(text_data=json.dumps({"type": "ping", "id": "a1"}))
    assert json.loads(await communicator.receive_from()) == {"type": "pong", "id": "a1"}
    await communicator.send_to(text_data=json.dumps({"type": "ping", "id": "g1", "via": "group"}))
    assert json.loads(await communicator.receive_from()) == {"type": "pong", "id": "g1"}
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("raw", "code", "message_part"),
    [
        ("not json", "invalid_json", "JSON"),
        (json.dumps({"type": "launch_rockets"}), "invalid_frame", "type"),
        (json.dumps({"type": "ping"}), "invalid_frame", "id"),
        (json.dumps({"type": "ping", "id": "x", "extra": 1}), "invalid_frame", "extra"),
        (json.dumps([1, 2]), "invalid_frame", ""),
        ("x" * (MAX_FRAME_BYTES + 1), "too_large", "limited"),
    ],
)
async def test_bad_frames_get_an_error_frame_and_the_socket_stays_up(
    alice: User, raw: str, code: str, message_part: str
) -> None:
    communicator = _communicator(await _verified_session(alice))
    await communicator.connect()
    await communicator.send_to(text_data=raw)
    frame = json.loads(await communicator.receive_from())
    assert frame["type"] == "error" and frame["code"] == code
    assert message_part in frame["message"]
    await communicator.send_to(text_data=json.dumps({"type": "ping", "id": "still-here"}))
    assert json.loads(await communicator.receive_from())["id"] == "still-here"
    await communicator.disconnect()


async def test_fragments_reach_every_page_of_the_user_and_only_theirs(
    alice: User, bob: User
) -> None:
    alice_tab1 = _communicator(await _verified_session(alice))
    alice_tab2 = _communicator(await _verified_session(alice))
    bob_tab = _communicator(await _verified_session(bob))
    for tab in (alice_tab1, alice_tab2, bob_tab):
        assert (await tab.connect())[0]

    await sync_to_async(push.send_on_commit)(user_group(alice.pk), '<div id="x">hi</div>')
    assert await alice_tab1.receive_from() == '<div id="x">hi</div>'
    assert await alice_tab2.receive_from() == '<div id="x">hi</div>'
    assert await bob_tab.receive_nothing(timeout=0.3)
    for tab in (alice_tab1, alice_tab2, bob_tab):
        await tab.disconnect()
