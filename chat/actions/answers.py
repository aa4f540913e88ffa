"""The assistant's side: claiming a message, running the graph, finishing the answer,
stopping it, retrying it, and resuming a run that waits for an outside event.

Each answer is produced by an ``AssistantRun`` whose state changes are conditional
UPDATEs (chat.actions.runs). Answers in one conversation run one at a time (they share a
LangGraph thread): the database allows one unfinished run per conversation, and the answer
that finishes starts the next queued message. A user message is answered at most once: the
answer's ``answer_to`` is unique."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import IntegrityError, transaction

from chat.actions import runs
from chat.actions.messages import enqueue_answer_on_commit, set_status
from chat.live import message_html, phase_html, push_message, removal_html, token_html
from chat.machine.waits import already_settled
from chat.metering import usage_slice
from chat.models import AssistantRun, Message
from chat.notices import notify_answer_failed
from chat.pipeline import runner
from chat.pipeline.context import build_context
from chat.pipeline.tools import tools_for_user
from chat.pipeline.usage import add_usage
from chat.rich import clean_blocks
from chat.run_events import RunEvent, send_run_event, send_run_event_on_commit
from lmo.live.push import send_now, send_on_commit
from lmo.organisations.access import current_organisation_id
from lmo.organisations.llm import llm_config
from lmo.usage.actions import record_usage
from lmo.usage.quotas import notify_thresholds
from permissions.actions import withdraw_requests

log = logging.getLogger(__name__)
SAVE_EVERY_SECONDS = 1.0
STOP_CHECK_SECONDS = 0.05


def machine_tools_allowed(question: Message) -> bool:
    """The chat page may offer the user's computers; a program only with its key's
    ``computers:run`` scope (recorded with the question when it was posted)."""
    asked_by = question.metadata.get("asked_by") or {}
    if asked_by.get("origin", "chat") == "chat":
        return True
    return "computers:run" in (asked_by.get("scopes") or [])


def _plain(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in detail.items() if isinstance(v, str | int | float | bool)}


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

    def _event(self, **fields: Any) -> None:
        run = self.question.pk
        send_run_event(self.answer.conversation_id, RunEvent(run=run, **fields))

    def on_phase(self, phase: str, detail: dict[str, Any]) -> None:
        self._mark_read()
        send_now(self.group, phase_html(self.answer, phase, detail))
        self._event(kind="phase", phase=phase, detail=_plain(detail))

    def on_token(self, text: str) -> None:
        self._mark_read()
        self.text += text
        send_now(self.group, token_html(self.answer, text))
        self._event(kind="token", text=text)
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
        return runs.stop_requested(answer_id=self.answer.pk)


def _claim(
    question: Message, origin: str, organisation_id: int | None
) -> tuple[Message, bool] | None:
    """The answer to produce and whether it continues a run that a dead worker left, or
    None when there is nothing to do (answered, being answered, or queued)."""
    conversation = question.conversation
    existing = Message.objects.filter(answer_to=question).select_related("run").first()
    if existing is not None:
        run: AssistantRun | None = getattr(existing, "run", None)
        if existing.status != Message.Status.SENDING or run is None:
            return None
        return (existing, True) if runs.take_over(run) else None  # else a live worker has it
    try:
        with transaction.atomic():
            answer = Message.objects.create(
                conversation=conversation,
                parent=question.parent,
                answer_to=question,
                sender=Message.Sender.ASSISTANT,
                status=Message.Status.SENDING,
            )
            runs.start(
                conversation=conversation,
                answer=answer,
                origin=origin,
                organisation_id=organisation_id
                if organisation_id is not None
                else current_organisation_id(conversation.owner),
            )
            set_status(question, Message.Status.DELIVERED, only_from=(Message.Status.SENT,))
            push_message(answer)
    except IntegrityError:
        # Another worker created the answer first, or another answer of the conversation
        # is unfinished (it starts this one when done).
        return None
    return answer, False


def answer_message(
    *,
    message_id: int,
    origin: str = AssistantRun.Origin.CHAT,
    organisation_id: int | None = None,
) -> str:
    """Answer one user message (what ``chat.tasks.run_assistant`` does). Safe to call
    again for the same message: it never answers twice. The run works in
    ``organisation_id`` (its model endpoint), by default the owner's current one."""
    question = (
        Message.objects.select_related("conversation__owner")
        .filter(pk=message_id, sender=Message.Sender.USER)
        .first()
    )
    if question is None or question.status in (
        Message.Status.SENDING,
        Message.Status.TRANSCRIBING,
        Message.Status.ERROR,
    ):
        return "nothing to answer"
    claim = _claim(question, origin, organisation_id)
    if claim is None:
        return "skipped"
    answer, continuing = claim
    user = question.conversation.owner
    if continuing:
        graph_input: Any = None
    else:
        tools = tools_for_user(user)
        if not machine_tools_allowed(question):
            tools = [t for t in tools if t.kind != "machine"]
        graph_input = runner.start_input(build_context(user, question, tools))
    return _run(answer, question, graph_input)


def _run(answer: Message, question: Message, graph_input: Any) -> str:
    if runs.stop_requested(answer_id=answer.pk):
        outcome = runner.Outcome(state="stopped", text=answer.content)
    else:
        run = AssistantRun.objects.filter(answer_id=answer.pk).only("organisation_id").first()
        config = runner.graph_config(
            user_id=question.conversation.owner_id,
            conversation_id=answer.conversation_id,
            message_id=answer.pk,
            organisation_id=run.organisation_id if run else None,
            machine_tools=machine_tools_allowed(question),
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
    if outcome.state == "waiting" and runs.stop_requested(answer_id=answer_id):
        # Stop came while the step that parks ran: stop instead of waiting.
        outcome = runner.Outcome(state="stopped", text=outcome.text)
        transaction.on_commit(lambda: _withdraw(answer_id))
    answer.content = outcome.text
    metadata = dict(answer.metadata)
    waiting = outcome.waiting or {}
    if outcome.state == "waiting":
        runs.park(answer_id=answer.pk, waiting=waiting)
    elif outcome.state == "error":
        answer.status = Message.Status.ERROR
        metadata["error"] = outcome.error
    else:
        answer.status = Message.Status.SENT
        metadata["blocks"] = clean_blocks(outcome.blocks)
        if outcome.state == "stopped":
            metadata["stopped"] = True
    metadata["usage"] = add_usage(metadata.get("usage"), outcome.usage)
    _meter(answer, outcome)
    answer.metadata = metadata
    answer.save()
    if outcome.state != "waiting":
        runs.finish(answer_id=answer.pk)
        _start_next(answer)
    else:
        _resume_if_resolved(answer.conversation_id, waiting)
    if outcome.state == "error":
        notify_answer_failed(answer)
    send_on_commit(answer.conversation.group, message_html(answer))
    ended = {"waiting": "waiting", "error": "failed", "stopped": "stopped"}.get(
        outcome.state, "finished"
    )
    send_run_event_on_commit(
        answer.conversation_id,
        RunEvent(
            run=answer.answer_to_id or 0,
            kind="waiting" if outcome.state == "waiting" else "end",
            state=ended,
            text=answer.content,
            detail=_plain(waiting) if outcome.state == "waiting" else {},
            usage=metadata["usage"],
        ),
    )


def _meter(answer: Message, outcome: runner.Outcome) -> None:
    """This stretch of the run's model use, as the provider reported it (0 offline)."""
    slice_ = usage_slice(answer)
    organisation_id = slice_.organisation_id
    config = llm_config(organisation_id)
    record_usage(
        user_id=answer.conversation.owner_id,
        organisation_id=organisation_id,
        key_prefix=slice_.key_prefix,
        model=config.model if config.enabled else "offline",
        prompt_tokens=outcome.usage.get("prompt_tokens", 0),
        completion_tokens=outcome.usage.get("completion_tokens", 0),
        llm_calls=1,
    )
    if outcome.usage:
        notify_thresholds(user=answer.conversation.owner, organisation_id=organisation_id)


def _resume_if_resolved(conversation_id: int, waiting: dict[str, Any]) -> None:
    """What the run waits for may have happened before the wait was recorded (its
    resume_run found nothing waiting): look after commit and resume now if so."""

    def _check() -> None:
        value = already_settled(waiting)
        if value is not None:
            resume_run(conversation_id=conversation_id, key=str(waiting.get("key")), value=value)

    transaction.on_commit(_check)


def _start_next(answer: Message) -> None:
    """The conversation is free again: start its next queued message, if any."""
    conversation = answer.conversation
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
    if runs.request_stop(answer_id=answer.pk) == AssistantRun.State.WAITING:
        # Nothing is running while a run waits: finish it here, and the permission it
        # asked for is no longer wanted.
        finish_answer(
            answer_id=answer.pk, outcome=runner.Outcome(state="stopped", text=answer.content)
        )
        _withdraw(answer.pk)
    return True


def _withdraw(answer_id: int) -> None:
    """A stopped answer no longer wants the permission it asked for."""
    withdraw_requests(
        message_id=answer_id, note="The assistant's answer was stopped, so it did not run."
    )


@transaction.atomic
def retry_answer(*, answer: Message) -> Message | None:
    """Drop a failed answer and ask again. Returns the question, or None if not failed."""
    locked = Message.objects.select_for_update().filter(pk=answer.pk).first()
    if locked is None or locked.status != Message.Status.ERROR or locked.answer_to_id is None:
        return None
    question = locked.answer_to
    assert question is not None
    conversation_group = locked.conversation.group
    runs.finish(answer_id=locked.pk)
    send_on_commit(conversation_group, removal_html(locked))
    locked.delete()
    enqueue_answer_on_commit(question)
    return question


def resume_run(*, conversation_id: int, key: str, value: Any) -> bool:
    """Continue the run that waits for ``key`` with ``value`` (a permission decision, a
    machine's result: see chat.machine.dispatch.resume_settled). Returns False if no run
    waits for it (already resumed, stopped, or never waited): the first caller wins."""
    from chat.tasks import resume_assistant

    with transaction.atomic():
        claimed = runs.claim_resume(conversation_id=conversation_id, key=key)
        if claimed is None:
            return False
        run, token = claimed
        answer = run.answer
        send_on_commit(answer.conversation.group, phase_html(answer, "thinking", {}))
        transaction.on_commit(lambda: resume_assistant.delay(answer.pk, token, value))
    return True


def continue_answer(*, answer_id: int, token: str, value: Any) -> str:
    """Run a resumed answer (what ``chat.tasks.resume_assistant`` does); only the task
    holding ``token`` runs it, once."""
    if not runs.begin_resumed(answer_id=answer_id, token=token):
        return "skipped"
    answer = Message.objects.select_related("conversation", "answer_to").get(pk=answer_id)
    question = answer.answer_to
    if question is None:
        return "skipped"
    return _run(answer, question, runner.resume_input(value))
