"""The assistant run's state moves out of strings (``Message.run_state`` prefixes,
``metadata["waiting"]``, ``Conversation.running``) into AssistantRun rows, both ways."""

from __future__ import annotations

from typing import Any

import pytest

from tests.migrating import latest, migrate_to

BEFORE = [("chat", "0001_initial")]
AFTER = [("chat", "0002_assistant_run")]


@pytest.mark.django_db(transaction=True)
def test_unfinished_answers_get_their_run_and_back(alice: Any) -> None:
    old = migrate_to(BEFORE)
    OldConversation = old.get_model("chat", "Conversation")
    OldMessage = old.get_model("chat", "Message")
    waiting = {"kind": "permission", "key": "perm:abc", "prompt": "Allow?", "request": "abc"}

    def answer(conversation: Any, run_state: str, metadata: dict[str, Any]) -> Any:
        question = OldMessage.objects.create(conversation=conversation, sender="user")
        return OldMessage.objects.create(
            conversation=conversation,
            sender="assistant",
            status="sending",
            answer_to=question,
            run_state=run_state,
            metadata=metadata,
        )

    first = OldConversation.objects.create(owner_id=alice.pk)
    parked = answer(first, "wait:perm:abc", {"waiting": waiting, "note": "kept"})
    second = OldConversation.objects.create(owner_id=alice.pk)
    resuming = answer(second, "resume:0123456789abcdef", {})
    third = OldConversation.objects.create(owner_id=alice.pk)
    streaming = answer(third, "", {})
    OldConversation.objects.filter(pk=first.pk).update(running_id=parked.pk)
    voice = OldMessage.objects.create(
        conversation=third, sender="user", status="sending", run_state="transcribing"
    )
    done = OldMessage.objects.create(conversation=third, sender="assistant", status="sent")

    new = migrate_to(AFTER)  # its models as they were then (later migrations add columns)
    AssistantRun = new.get_model("chat", "AssistantRun")
    Message = new.get_model("chat", "Message")

    run = AssistantRun.objects.get(answer_id=parked.pk)
    assert (run.state, run.wait_key, run.waiting) == ("waiting", "perm:abc", waiting)
    message = Message.objects.get(pk=parked.pk)
    assert message.metadata == {"note": "kept"}
    again = AssistantRun.objects.get(answer_id=resuming.pk)
    assert (again.state, again.token) == ("resuming", "0123456789abcdef")
    assert AssistantRun.objects.get(answer_id=streaming.pk).state == "running"
    assert Message.objects.get(pk=voice.pk).status == "transcribing"
    assert not AssistantRun.objects.filter(answer_id=done.pk).exists()

    old = migrate_to(BEFORE)
    OldMessage = old.get_model("chat", "Message")
    restored = OldMessage.objects.get(pk=parked.pk)
    assert restored.run_state == "wait:perm:abc" and restored.metadata["waiting"] == waiting
    assert old.get_model("chat", "Conversation").objects.get(pk=first.pk).running_id == parked.pk
    assert OldMessage.objects.get(pk=voice.pk).run_state == "transcribing"
    migrate_to(latest())
