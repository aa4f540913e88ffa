"""The assistant's side: claiming a message, running the graph, finishing the answer,
stopping it, retrying it, and resuming a run that waits for an outside event.

Answers in one conversation run one at a time (they share a LangGraph thread); the
conversation's ``running`` slot is claimed with a conditional UPDATE, and the answer that
finishes starts the next queued message. A user message is answered at most once: the
answer's ``answer_to`` is unique."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.actions.messages import enqueue_answer_on_commit, set_status
from chat.live import message_html, phase_html, push_message, send_now, send_on_commit, token_html
from chat.models import Conversation, Message
from chat.notices import notify_answer_failed
from chat.pipeline import runner
from chat.pipeline.context import build_context
from chat.pipeline.tools import tools_for_user
from chat.pipeline.waiting import already_resolved
from chat.rich import clean_blocks

log = logging.getLogger(__name__)
SAVE_EVERY_SECONDS = 1.0
STOP_CHECK_SECONDS = 0.05


def _stop_key(message_id: int) -> str:
    return f"chat:stop:{message_id}"


class LiveAnswer:
    """The runner's sink: pushes phases and tokens to the conversation's pages, marks the
    question read, saves the partial answer now and then, and watches for Stop."""

    def __init__(self, answer: Message, question: Message) -> None:
        self.answer = answer
        self.question = question
        self.group = answer.conversation.group
        self.text = answer.content
        self._saved_at = time.monotonic()
        self._checked_at = 0.0
        self._read = False

    def _mark_read(self) -> None:
        if not self._read:
            self._read = True
            set_status(
                self.question,
                Message.Status.READ,
                only_from=(Message.Status.SENT, Message.Status.DELIVERED),
            )

    def on_phase(self, phase: str, detail: dict[str, Any]) -> None:
        self._mark_read()
        send_now(self.group, phase_html(self.answer, phase, detail))

    def on_token(self, text: str) -> None:
        self._mark_read()
        self.text += text
        send_now(self.group, token_html(self.answer, text))
        if time.monotonic() - self._saved_at >= SAVE_EVERY_SECONDS:
            self._saved_at = time.monotonic()
            Message.objects.filter(pk=self.answer.pk, status=Message.Status.SENDING).update(
                content=self.text
            )

    def should_stop(self) -> bool:
        now = time.monotonic()
        if now - self._checked_at < STOP_CHECK_SECONDS:
            return False
        self._checked_at = now
        return bool(cache.get(_stop_key(self.answer.pk)))


def _claim(question: Message) -> tuple[Message, bool] | None:
    """The answer to produce and whether it continues a run that a dead worker left, or
    None when there is nothing to do (answered, being answered, or queued)."""
    conversation = question.conversation
    existing = Message.objects.filter(answer_to=question).first()
    if existing is not None:
        stale = timezone.now() - timedelta(seconds=settings.LMO_TASK_TIME_LIMIT)
        if existing.status != Message.Status.SENDING or existing.run_state:
            return None
        if existing.updated_at > stale:
            return None  # a live worker has it (a duplicate delivery)
        taken = Message.objects.filter(pk=existing.pk, updated_at=existing.updated_at).update(
            updated_at=timezone.now()
        )
        return (existing, True) if taken else None
    try:
        with transaction.atomic():
            answer = Message.objects.create(
                conversation=conversation,
                parent=question.parent,
                answer_to=question,
                sender=Message.Sender.ASSISTANT,
                status=Message.Status.SENDING,
            )
            if not Conversation.objects.filter(pk=conversation.pk, running__isnull=True).update(
                running=answer
            ):
                transaction.set_rollback(True)
                return None  # another answer is running; it starts this one when done
            set_status(question, Message.Status.DELIVERED, only_from=(Message.Status.SENT,))
            push_message(answer)
    except IntegrityError:
        return None  # another worker created the answer first
    return answer, False


def answer_message(*, message_id: int) -> str:
    """Answer one user message (what ``chat.tasks.run_assistant`` does). Safe to call
    again for the same message: it never answers twice."""
    question = (
        Message.objects.select_related("conversation__owner")
        .filter(pk=message_id, sender=Message.Sender.USER)
        .first()
    )
    if question is None or question.status in (Message.Status.SENDING, Message.Status.ERROR):
        return "nothing to answer"
    claim = _claim(question)
    if claim is None:
        return "skipped"
    answer, continuing = claim
    user = question.conversation.owner
    if continuing:
        graph_input: Any = None
    else:
        graph_input = runner.start_input(build_context(user, question, tools_for_user(user)))
    return _run(answer, question, graph_input)


def _run(answer: Message, question: Message, graph_input: Any) -> str:
    if cache.get(_stop_key(answer.pk)):
        outcome = runner.Outcome(state="stopped", text=answer.content)
    else:
        config = runner.graph_config(
            user_id=question.conversation.owner_id,
            conversation_id=answer.conversation_id,
            message_id=answer.pk,
        )
        outcome = runner.run(
            graph_input=graph_input,
            config=config,
            sink=LiveAnswer(answer, question),
            text_so_far=answer.content,
        )
    finish_answer(answer_id=answer.pk, outcome=outcome)
    return outcome.state


@transaction.atomic
def finish_answer(*, answer_id: int, outcome: runner.Outcome) -> None:
    answer = Message.objects.select_for_update().select_related("conversation").get(pk=answer_id)
    if answer.status != Message.Status.SENDING:
        return  # already finished (stopped while waiting, or a duplicate run)
    answer.content = outcome.text
    metadata = dict(answer.metadata)
    metadata.pop("waiting", None)
    answer.run_state = ""
    if outcome.state == "waiting":
        waiting = outcome.waiting or {}
        metadata["waiting"] = waiting
        answer.run_state = f"wait:{waiting.get('key', '')}"[:200]
    elif outcome.state == "error":
        answer.status = Message.Status.ERROR
        metadata["error"] = outcome.error
    else:
        answer.status = Message.Status.SENT
        metadata["blocks"] = clean_blocks(outcome.blocks)
        if outcome.state == "stopped":
            metadata["stopped"] = True
    answer.metadata = metadata
    answer.save()
    if outcome.state != "waiting":
        _release(answer)
    else:
        _resume_if_resolved(answer.conversation_id, metadata["waiting"])
    if outcome.state == "error":
        notify_answer_failed(answer)
    send_on_commit(answer.conversation.group, message_html(answer))


def _resume_if_resolved(conversation_id: int, waiting: dict[str, Any]) -> None:
    """What the run waits for may have happened before the wait was recorded (its
    resume_run found nothing waiting): look after commit and resume now if so."""

    def _check() -> None:
        value = already_resolved(waiting)
        if value is not None:
            resume_run(conversation_id=conversation_id, key=str(waiting.get("key")), value=value)

    transaction.on_commit(_check)


def _release(answer: Message) -> None:
    """Free the conversation's slot and start the next queued message, if any."""
    conversation = answer.conversation
    Conversation.objects.filter(pk=conversation.pk, running=answer).update(running=None)
    queued = (
        conversation.messages.filter(
            sender=Message.Sender.USER,
            answer__isnull=True,
            status__in=[Message.Status.SENT, Message.Status.DELIVERED],
        )
        .order_by("pk")
        .first()
    )
    if queued is not None:
        enqueue_answer_on_commit(queued)


def stop_answer(*, answer: Message) -> bool:
    """Stop a running answer: the run ends at its next step, keeping what was written."""
    if not answer.is_running:
        return False
    cache.set(_stop_key(answer.pk), 1, settings.LMO_TASK_TIME_LIMIT)
    if answer.run_state.startswith("wait:"):
        # Nothing is running while a run waits: finish it here.
        finish_answer(
            answer_id=answer.pk, outcome=runner.Outcome(state="stopped", text=answer.content)
        )
    return True


@transaction.atomic
def retry_answer(*, answer: Message) -> Message | None:
    """Drop a failed answer and ask again. Returns the question, or None if not failed."""
    locked = Message.objects.select_for_update().filter(pk=answer.pk).first()
    if locked is None or locked.status != Message.Status.ERROR or locked.answer_to_id is None:
        return None
    question = locked.answer_to
    assert question is not None
    conversation_group = locked.conversation.group
    Conversation.objects.filter(pk=locked.conversation_id, running=locked).update(running=None)
    send_on_commit(conversation_group, f'<div id="msg-{locked.pk}" hx-swap-oob="delete"></div>')
    locked.delete()
    enqueue_answer_on_commit(question)
    return question


def resume_run(*, conversation_id: int, key: str, value: Any) -> bool:
    """Continue the run that waits for ``key`` with ``value`` (from any app: a permission
    decision, a machine's result). Returns False if no run waits for it (already resumed,
    stopped, or never waited): the first caller wins."""
    from chat.tasks import resume_assistant

    token = uuid.uuid4().hex
    with transaction.atomic():
        answer = Message.objects.filter(
            conversation_id=conversation_id,
            status=Message.Status.SENDING,
            run_state=f"wait:{key}"[:200],
        ).first()
        if answer is None:
            return False
        if not Message.objects.filter(pk=answer.pk, run_state=answer.run_state).update(
            run_state=f"resume:{token}"
        ):
            return False
        send_on_commit(answer.conversation.group, phase_html(answer, "thinking", {}))
        transaction.on_commit(lambda: resume_assistant.delay(answer.pk, token, value))
    return True


def continue_answer(*, answer_id: int, token: str, value: Any) -> str:
    """Run a resumed answer (what ``chat.tasks.resume_assistant`` does); only the task
    holding ``token`` runs it, once."""
    if not Message.objects.filter(pk=answer_id, run_state=f"resume:{token}").update(
        run_state=f"running:{token}"
    ):
        return "skipped"
    answer = Message.objects.select_related("conversation", "answer_to").get(pk=answer_id)
    question = answer.answer_to
    if question is None:
        return "skipped"
    return _run(answer, question, runner.resume_input(value))
