"""The chat's notification: an answer that failed, with a Retry that works from the toast."""

from __future__ import annotations

import time

import pytest

from chat.models import Message
from lmo.testing.fake_llm import Reply
from notifications.models import Category, Notification, Priority
from tests.chat.test_pipeline import _run

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_failed_answer_notifies_with_retry(fake_llm, conversation, alice_client, task_runner):
    fake_llm.script(Reply(status=500), Reply(text="Second time lucky"))
    answer = _run(conversation, "hello")
    assert answer.status == Message.Status.ERROR
    note = Notification.objects.get(owner=conversation.owner)
    assert note.category == Category.ASSISTANT and note.priority == Priority.HIGH
    assert "HTTP 500" in note.body and note.link == f"/chat/c/{conversation.pk}/"
    assert [a["label"] for a in note.actions] == ["Retry"]

    response = alice_client.post(
        f"/notifications/{note.pk}/act/", {"key": "retry", "where": "toast"}, HTTP_HX_REQUEST="true"
    )
    assert "Asked again." in response.content.decode()
    for _ in range(200):
        retried = Message.objects.filter(answer_to=answer.answer_to).first()
        if retried and retried.status == Message.Status.SENT:
            break
        time.sleep(0.05)
    assert retried is not None and retried.content == "Second time lucky"
    # Pressing it again (another tab) is harmless.
    again = alice_client.post(
        f"/notifications/{note.pk}/act/", {"key": "retry"}, HTTP_HX_REQUEST="true"
    )
    assert "Already done: Asked again." in again.content.decode()
