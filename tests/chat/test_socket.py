"""The chat over the page socket, with WebsocketCommunicator against the real router."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chat.models import Conversation, Message
from lmo.testing.fake_llm import Reply
from tests.lmo.test_live_socket import _communicator, _verified_session

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _open(user: Any) -> WebsocketCommunicator:
    communicator = _communicator(await _verified_session(user))
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _joined(user: Any, conversation: Conversation) -> WebsocketCommunicator:
    communicator = await _open(user)
    await communicator.send_json_to({"type": "chat.join", "conversation": conversation.pk})
    assert await communicator.receive_json_from(timeout=3) == {
        "type": "chat.joined",
        "conversation": conversation.pk,
    }
    return communicator


async def _collect(communicator: WebsocketCommunicator, until: str, wait: float = 10) -> list[str]:
    frames: list[str] = []
    while True:
        output = await communicator.receive_output(timeout=wait)
        text = output.get("text", "")
        frames.append(text)
        if until in text:
            return frames


async def test_outsider_cannot_join_or_send(charlie, conversation):
    communicator = await _open(charlie)
    await communicator.send_json_to({"type": "chat.join", "conversation": conversation.pk})
    frame = await communicator.receive_json_from(timeout=3)
    assert frame["type"] == "error" and frame["code"] == "not_found"
    await communicator.send_json_to(
        {"type": "chat.send", "conversation": conversation.pk, "client_id": "x1", "content": "hi"}
    )
    frame = await communicator.receive_json_from(timeout=3)
    assert frame["code"] == "not_found" and frame["ref"] == "x1"
    await communicator.send_json_to({"type": "chat.typing", "conversation": conversation.pk})
    assert (await communicator.receive_json_from(timeout=3))["code"] == "not_found"
    assert await sync_to_async(Message.objects.count)() == 0
    await communicator.disconnect()


async def test_send_streams_the_answer_to_every_tab_and_marks_it_read(
    alice, conversation, fake_llm, task_runner
):
    fake_llm.script(Reply(tokens=["Hel", "lo ", "<b>there</b>"]))
    tab1 = await _joined(alice, conversation)
    tab2 = await _joined(alice, conversation)
    await tab1.send_json_to(
        {
            "type": "chat.send",
            "conversation": conversation.pk,
            "client_id": "abc",
            "content": "hi <script>x</script>",
        }
    )
    frames = await _collect(tab1, 'data-sender="assistant" class="message from-assistant"', wait=10)
    ack = next(json.loads(f) for f in frames if f.startswith("{"))
    assert ack["type"] == "chat.ack" and ack["client_id"] == "abc" and not ack["duplicate"]
    user_fragment = next(f for f in frames if 'data-sender="user"' in f)
    assert "&lt;script&gt;" in user_fragment and "<script>x" not in user_fragment
    assert 'id="pending-abc" hx-swap-oob="delete"' in user_fragment
    other = await _collect(tab2, "&lt;b&gt;there&lt;/b&gt;")
    tokens = [f for f in other if 'hx-swap-oob="beforeend">' in f and "-stream" in f]
    assert [t.split(">", 1)[1].split("<", 1)[0] for t in tokens] == [
        "Hel",
        "lo ",
        "&lt;b&gt;there&lt;/b&gt;",
    ]
    rest = await _collect(tab2, 'data-status="sent"')  # the final message replaces the stream
    assert any("Thinking" in f or "Writing" in f for f in other + rest)
    question = await sync_to_async(Message.objects.get)(client_id="abc")
    assert question.status == Message.Status.READ
    answer = await sync_to_async(Message.objects.get)(answer_to=question)
    assert answer.content == "Hello <b>there</b>"
    # The page says it saw the answer: it becomes read too.
    await tab1.send_json_to(
        {"type": "chat.read", "conversation": conversation.pk, "up_to": answer.pk}
    )
    await _collect(tab1, f'id="msg-{answer.pk}-status" class="status" data-status="read"')
    await tab1.disconnect()
    await tab2.disconnect()


async def test_a_resent_message_is_stored_once(alice, conversation, offline):
    tab = await _joined(alice, conversation)
    frame = {
        "type": "chat.send",
        "conversation": conversation.pk,
        "client_id": "same",
        "content": "hi",
    }
    await tab.send_json_to(frame)
    await _collect(tab, '"chat.ack"')
    await tab.send_json_to(frame)
    acks = await _collect(tab, '"duplicate":true')
    assert acks
    assert await sync_to_async(Message.objects.filter(client_id="same").count)() == 1
    await tab.disconnect()


async def test_bad_messages_are_refused_with_a_reason(alice, conversation, offline):
    tab = await _joined(alice, conversation)
    for content, reason in (("   ", "empty"), ("x" * 20_001, "20,000")):
        await tab.send_json_to(
            {
                "type": "chat.send",
                "conversation": conversation.pk,
                "client_id": "bad",
                "content": content,
            }
        )
        frame = await tab.receive_json_from(timeout=3)
        assert (
            frame["code"] == "invalid_input"
            and reason in frame["message"]
            and frame["ref"] == "bad"
        )
    await tab.send_json_to(
        {"type": "chat.send", "conversation": conversation.pk, "client_id": "no spaces!"}
    )
    assert (await tab.receive_json_from(timeout=3))["code"] == "invalid_frame"
    # PostgreSQL keeps no NUL in text: refused with the place, not a crash on save.
    await tab.send_json_to(
        {"type": "chat.send", "conversation": conversation.pk, "client_id": "n", "content": "a\x00"}
    )
    refused = await tab.receive_json_from(timeout=3)
    assert refused["code"] == "invalid_frame" and "NUL" in refused["message"]
    assert await sync_to_async(Message.objects.count)() == 0
    await tab.disconnect()


async def test_typing_reaches_the_other_tabs_only(alice, conversation):
    tab1 = await _joined(alice, conversation)
    tab2 = await _joined(alice, conversation)
    await tab1.send_json_to({"type": "chat.typing", "conversation": conversation.pk})
    fragment = (await tab2.receive_output(timeout=3))["text"]
    assert "typing in another tab" in fragment and 'data-expires-in="4"' in fragment
    assert await tab1.receive_nothing(timeout=0.3)
    # Throttled: a second typing frame right away sends nothing.
    await tab1.send_json_to({"type": "chat.typing", "conversation": conversation.pk})
    assert await tab2.receive_nothing(timeout=0.3)
    await tab1.disconnect()
    await tab2.disconnect()


async def test_stop_over_the_socket_stops_a_running_answer(
    alice, conversation, fake_llm, task_runner
):
    fake_llm.script(Reply(tokens=[f"w{i} " for i in range(200)], token_delay=0.02))
    tab = await _joined(alice, conversation)
    await tab.send_json_to(
        {"type": "chat.send", "conversation": conversation.pk, "client_id": "s1", "content": "go"}
    )
    await _collect(tab, "w3 ")
    answer = await sync_to_async(lambda: Message.objects.get(sender="assistant"))()
    await tab.send_json_to({"type": "chat.stop", "message": answer.pk})
    await _collect(tab, "Stopped — the answer above is partial")
    await sync_to_async(answer.refresh_from_db)()
    assert answer.stopped and answer.content.startswith("w0 w1 w2 w3")
    assert len(answer.content.split()) < 200
    await tab.disconnect()


async def test_outsider_cannot_stop_or_mark_read(alice, charlie, conversation, offline):
    message = await sync_to_async(Message.objects.create)(
        conversation=conversation, sender="assistant", status="sending", content="x"
    )
    tab = await _open(charlie)
    await tab.send_json_to({"type": "chat.stop", "message": message.pk})
    assert (await tab.receive_json_from(timeout=3))["code"] == "not_found"
    await tab.send_json_to(
        {"type": "chat.read", "conversation": conversation.pk, "up_to": message.pk}
    )
    assert (await tab.receive_json_from(timeout=3))["code"] == "not_found"
    await tab.disconnect()


async def test_join_sends_what_was_written_after_the_newest_message_the_page_shows(
    alice, conversation
):
    """A page rendered before an answer was written, joining after it was pushed, still
    gets it: the page says which message it shows last, the join sends the ones after."""

    def write() -> tuple[Message, Message]:
        shown = Message.objects.create(conversation=conversation, sender="user", content="hi")
        answer = Message.objects.create(
            conversation=conversation, sender="assistant", content="It is noon."
        )
        return shown, answer

    shown, answer = await sync_to_async(write)()
    communicator = await _open(alice)
    await communicator.send_json_to(
        {"type": "chat.join", "conversation": conversation.pk, "after": shown.pk}
    )
    html = (await communicator.receive_output(timeout=3))["text"]
    assert f'data-message="{answer.pk}"' in html and "It is noon." in html
    assert f'data-message="{shown.pk}"' not in html
    assert await communicator.receive_json_from(timeout=3) == {
        "type": "chat.joined",
        "conversation": conversation.pk,
    }
    await communicator.send_json_to(
        {"type": "chat.join", "conversation": conversation.pk, "after": answer.pk}
    )
    assert (await communicator.receive_json_from(timeout=3))["type"] == "chat.joined"
    await communicator.send_json_to(
        {"type": "chat.join", "conversation": conversation.pk, "after": -1}
    )
    assert (await communicator.receive_json_from(timeout=3))["code"] == "invalid_frame"
    await communicator.disconnect()
