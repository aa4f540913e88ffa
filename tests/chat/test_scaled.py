"""The chat in the scaled mode: a real Celery worker process, Redis channel layer,
PostgreSQL (with the Postgres checkpointer), the fake LLM over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message
from chat.tasks import run_assistant
from lmo.testing.fake_llm import FakeLLM, Reply
from tests.chat.test_socket import _collect, _joined
from tests.conftest import start_worker, stop_worker

pytestmark = [pytest.mark.scaled, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chat_worker(fake_llm: FakeLLM) -> Iterator[None]:
    worker = start_worker(
        {
            "LMO_LLM_BASE_URL": fake_llm.url,
            "LMO_LLM_API_KEY": "test-key",
            "LMO_LLM_MAX_RETRIES": "0",
        }
    )
    yield
    stop_worker(worker)


async def test_message_streams_from_the_worker_and_is_read(
    alice, conversation, fake_llm, chat_worker
):
    fake_llm.script(Reply(tokens=["Scaled", " mode", " works"]))
    tab = await _joined(alice, conversation)
    await tab.send_json_to(
        {"type": "chat.send", "conversation": conversation.pk, "client_id": "w1", "content": "hi"}
    )
    frames = await _collect(tab, "Scaled mode works</p>", wait=20)
    streamed = [f for f in frames if '-stream" hx-swap-oob="beforeend">' in f]
    assert len(streamed) == 3
    question = await sync_to_async(Message.objects.get)(client_id="w1")
    assert question.status == Message.Status.READ
    answer = await sync_to_async(Message.objects.get)(answer_to=question)
    assert answer.content == "Scaled mode works" and answer.status == Message.Status.SENT
    await tab.disconnect()


async def test_stop_reaches_the_worker(alice, conversation, fake_llm, chat_worker):
    fake_llm.script(Reply(tokens=[f"w{i} " for i in range(300)], token_delay=0.02))
    tab = await _joined(alice, conversation)
    await tab.send_json_to(
        {"type": "chat.send", "conversation": conversation.pk, "client_id": "w2", "content": "go"}
    )
    await _collect(tab, "w5 ", wait=20)
    answer = await sync_to_async(lambda: Message.objects.get(sender="assistant"))()
    await tab.send_json_to({"type": "chat.stop", "message": answer.pk})
    await _collect(tab, "Stopped — the answer above is partial", wait=20)
    await sync_to_async(answer.refresh_from_db)()
    assert answer.stopped and 5 < len(answer.content.split()) < 300
    await tab.disconnect()


def test_a_redelivered_task_does_not_answer_twice(alice, conversation, fake_llm, chat_worker):
    fake_llm.script(Reply(text="only once", token_delay=0.05))
    question = Message.objects.create(
        conversation=conversation, sender="user", content="hello", client_id="r1"
    )
    results = [run_assistant.delay(question.pk) for _ in range(3)]
    outcomes = sorted(r.get(timeout=30) for r in results)
    assert outcomes.count("done") == 1, outcomes
    assert Message.objects.filter(answer_to=question).count() == 1
    assert Message.objects.get(answer_to=question).content == "only once"
    assert len([r for r in fake_llm.requests if "messages" in r]) == 1


def test_checkpoints_are_in_postgres(alice, conversation, fake_llm, chat_worker):
    from django.db import connection

    question = Message.objects.create(
        conversation=conversation, sender="user", content="hello", client_id="p1"
    )
    assert run_assistant.delay(question.pk).get(timeout=30) == "done"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM checkpoints WHERE thread_id = %s", [conversation.thread_id]
        )
        assert cursor.fetchone()[0] > 0
