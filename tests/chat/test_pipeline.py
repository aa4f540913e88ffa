"""The graph over the wire: langchain-openai against a real HTTP server on loopback."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pydantic import BaseModel

from chat import actions
from chat.models import AssistantRun, Message
from chat.pipeline import runner
from chat.pipeline.checkpoint import new_checkpointer
from chat.pipeline.graph import build_graph
from chat.pipeline.tools import Tool, ToolContext, ToolResult, register_tool, unregister_tool
from lmo.testing.fake_llm import Reply
from tests.chat.conftest import RecordingSink

pytestmark = pytest.mark.django_db(transaction=True)


def _run(conversation: Any, text: str, sink: RecordingSink | None = None) -> Message:
    """Post a message without the task and answer it here, synchronously."""
    posted = actions.post_user_message(
        conversation=conversation,
        content=text,
        client_id=f"c{Message.objects.count()}",
        answer=False,
    )
    if sink is None:
        actions.answer_message(message_id=posted.message.pk)
    else:
        from chat.actions import answers

        original = answers.LiveAnswer
        answers.LiveAnswer = lambda answer, question: sink  # type: ignore[assignment,misc,return-value]
        try:
            actions.answer_message(message_id=posted.message.pk)
        finally:
            answers.LiveAnswer = original  # type: ignore[misc]
    return Message.objects.get(answer_to=posted.message)


def test_it_streams_the_answer_token_by_token(fake_llm, conversation):
    fake_llm.script(Reply(tokens=["Hello", ", ", "Alice", "!"]))
    sink = RecordingSink()
    answer = _run(conversation, "hi", sink)
    assert sink.tokens == ["Hello", ", ", "Alice", "!"]
    assert sink.phases[0] == "thinking" and "writing" in sink.phases
    assert answer.content == "Hello, Alice!"
    assert answer.status == Message.Status.SENT
    request = fake_llm.requests[-1]
    assert request["stream"] is True
    assert request["messages"][0]["role"] == "system"
    assert "UTC" in request["messages"][0]["content"]
    assert request["messages"][-1] == {"role": "user", "content": "hi"}


def test_it_sends_history_and_trims_it_to_the_budget(fake_llm, conversation, settings):
    _run(conversation, "first question")
    _run(conversation, "second question")
    assert [m["content"] for m in fake_llm.requests[-1]["messages"][1:]] == [
        "first question",
        "You said: first question",
        "second question",
    ]
    settings.LMO_LLM_CONTEXT_TOKENS = 500
    _run(conversation, "x " * 600)  # bigger than the budget alone: only the newest fits
    _run(conversation, "third")
    sent = fake_llm.requests[-1]["messages"]
    assert sent[-1]["content"] == "third"
    assert all("first question" not in str(m["content"]) for m in sent)


def test_it_calls_a_tool_and_renders_its_chart(fake_llm, conversation):
    fake_llm.script(Reply(tool="chat_activity_chart", args={"days": 7}), Reply(text="Here it is."))
    sink = RecordingSink()
    answer = _run(conversation, "chart my messages", sink)
    assert "tool:chat_activity_chart" in sink.phases
    assert answer.content == "Here it is."
    assert answer.blocks[0]["kind"] == "chart"
    assert answer.blocks[0]["figure"]["data"][0]["type"] == "bar"
    tool_reply = fake_llm.requests[-1]["messages"][-1]
    assert tool_reply["role"] == "tool" and "You sent 1 message" in tool_reply["content"]
    assert {t["function"]["name"] for t in fake_llm.requests[0]["tools"]} >= {
        "current_time",
        "chat_activity_chart",
    }


def test_invalid_tool_arguments_go_back_to_the_model_once(fake_llm, conversation):
    fake_llm.script(
        Reply(tool="chat_activity_chart", args={"days": "lots"}),
        Reply(tool="chat_activity_chart", args={"days": 7}),
        Reply(text="Fixed."),
    )
    answer = _run(conversation, "chart")
    assert answer.content == "Fixed."
    error = fake_llm.requests[1]["messages"][-1]
    assert error["role"] == "tool" and "Invalid arguments" in error["content"]


def test_invalid_tool_arguments_twice_are_reported(fake_llm, conversation):
    fake_llm.script(
        Reply(tool="chat_activity_chart", args={"days": 9999}),
        Reply(tool="chat_activity_chart", args={"days": -5}),
    )
    answer = _run(conversation, "chart")
    assert len(fake_llm.requests) == 2
    assert answer.status == Message.Status.SENT
    assert "arguments were invalid" in answer.content


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(status=429), "rate limited"),
        (Reply(status=500), "HTTP 500"),
        (Reply(status=401), "LMO_LLM_API_KEY"),
        (Reply(malformed=True), "could not understand"),
        (Reply(delay=2.0), "did not answer within"),
    ],
)
def test_llm_failures_end_in_a_friendly_error_with_retry(
    fake_llm, conversation, settings, reply, expected
):
    settings.LMO_LLM_TIMEOUT = 1.0
    fake_llm.script(reply)
    answer = _run(conversation, "hello")
    assert answer.status == Message.Status.ERROR
    assert expected in answer.metadata["error"]
    assert AssistantRun.objects.get(answer=answer).is_finished
    # Retry asks again and this time it works.
    question = actions.retry_answer(answer=answer)
    assert question is not None
    # The retry enqueued a task too; whichever claims the question first answers it.
    actions.answer_message(message_id=question.pk)
    for _ in range(100):
        retried = Message.objects.get(answer_to=question)
        if retried.status != Message.Status.SENDING:
            break
        time.sleep(0.05)
    assert retried.content == "You said: hello"


def test_an_unreachable_endpoint_says_where_it_looked(conversation, settings):
    settings.LMO_LLM_BASE_URL = "http://127.0.0.1:9/v1"
    settings.LMO_LLM_API_KEY = "k"
    settings.LMO_LLM_ENABLED = True
    settings.LMO_LLM_MAX_RETRIES = 0
    answer = _run(conversation, "hello")
    assert answer.status == Message.Status.ERROR
    assert "127.0.0.1:9" in answer.metadata["error"]


def test_stop_keeps_the_partial_answer_and_marks_it(fake_llm, conversation):
    fake_llm.script(Reply(tokens=[f"t{i} " for i in range(50)], token_delay=0.02))
    sink = RecordingSink(stop_after=3)
    answer = _run(conversation, "long story", sink)
    assert answer.stopped and answer.status == Message.Status.SENT
    assert answer.content.startswith("t0 t1 t2")
    assert len(answer.content.split()) < 50


class WaitArgs(BaseModel):
    what: str


side_effects: list[str] = []
node_runs: list[str] = []


def _waiting_tool(context: ToolContext, args: WaitArgs) -> ToolResult:
    from chat.pipeline.waiting import wait_for

    node_runs.append(context.tool_call_id)
    # Idempotent side effect before the wait: keyed, so the re-run does not repeat it.
    if context.idempotency_key not in side_effects:
        side_effects.append(context.idempotency_key)
    answer = wait_for(
        context, kind="test", key=f"ok-{context.tool_call_id}", prompt="Waiting for you"
    )
    return ToolResult(text=f"the outside said {answer}")


@pytest.fixture
def waiting_tool():
    side_effects.clear()
    node_runs.clear()
    register_tool(Tool(name="wait_outside", description="waits", args=WaitArgs, run=_waiting_tool))
    yield
    unregister_tool("wait_outside")


def test_interrupt_waits_and_resume_continues_after_a_restart(
    fake_llm, conversation, waiting_tool, settings
):
    fake_llm.script(Reply(tool="wait_outside", args={"what": "x"}), Reply(text="All done."))
    answer = _run(conversation, "do the outside thing")
    assert answer.status == Message.Status.SENDING
    assert answer.waiting is not None and answer.waiting["prompt"] == "Waiting for you"
    key = answer.run.wait_key
    assert key.startswith("ok-")
    # "Process restart": a new saver and a new graph object on the same store.
    saver = new_checkpointer()
    graph = build_graph(saver)
    config = runner.graph_config(
        user_id=conversation.owner_id, conversation_id=conversation.pk, message_id=answer.pk
    )
    outcome = runner.run(
        graph_input=runner.resume_input("yes"), config=config, sink=RecordingSink(), graph=graph
    )
    store = getattr(saver, "conn", None)
    if hasattr(store, "close") and not hasattr(store, "cursor"):
        store.close()  # type: ignore[union-attr]  # a PostgreSQL pool (scaled mode)
    assert outcome.state == "done" and outcome.text == "All done."
    assert fake_llm.requests[-1]["messages"][-1]["content"] == "the outside said yes"
    # The node ran twice (before the wait and again on resume) ...
    assert len(node_runs) == 2 and node_runs[0] == node_runs[1]
    # ... and the side effect keyed on the idempotency key happened once.
    assert len(side_effects) == 1


@pytest.mark.embedded  # the test's tool exists in this process only, not in a worker
def test_resume_run_through_the_task_first_caller_wins(fake_llm, conversation, waiting_tool):
    fake_llm.script(Reply(tool="wait_outside", args={"what": "x"}), Reply(text="Resumed fine."))
    answer = _run(conversation, "do it")
    key = answer.run.wait_key
    assert actions.resume_run(conversation_id=conversation.pk, key=key, value="approved")
    assert not actions.resume_run(conversation_id=conversation.pk, key=key, value="again")

    for _ in range(100):
        answer.refresh_from_db()
        if answer.status != Message.Status.SENDING:
            break
        time.sleep(0.05)
    assert answer.content == "Resumed fine."
    assert answer.status == Message.Status.SENT
    assert AssistantRun.objects.get(answer=answer).is_finished


def test_stop_while_waiting_finishes_the_answer(fake_llm, conversation, waiting_tool):
    fake_llm.script(Reply(tool="wait_outside", args={"what": "x"}))
    answer = _run(conversation, "do it")
    assert actions.stop_answer(answer=answer)
    answer.refresh_from_db()
    assert answer.status == Message.Status.SENT and answer.stopped
    assert not actions.resume_run(conversation_id=conversation.pk, key=answer.run.wait_key, value=1)
