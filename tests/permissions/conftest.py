"""Permission fixtures: alice's laptop with no grant at all, and a chat that asks it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from agent_bridge.actions import create_token
from agent_bridge.local_agent import protocol
from agent_bridge.models import Agent
from chat import actions as chat_actions
from chat.models import AssistantRun, Conversation, Message
from permissions.actions import record_result
from permissions.models import CommandRun
from tests.agent_bridge.conftest import CONNECTORS
from tests.chat.conftest import _checkpoints, fake_llm, offline  # noqa: F401  (fixtures)

WRITE = protocol.ConnectorSpec(
    name="shell",
    actions=[
        protocol.ActionSpec(
            name="run",
            params={
                "type": "object",
                "properties": {"command": {"type": "string"}},
                "required": ["command"],
            },
            writes=True,
        )
    ],
)


def make_laptop(owner: Any, name: str = "laptop") -> Agent:
    """A paired computer the user has allowed nothing on."""
    agent = Agent.objects.create(
        owner=owner, name=name, capabilities=[c.model_dump() for c in [*CONNECTORS, WRITE]]
    )
    create_token(agent=agent, created_by=owner)
    return agent


@pytest.fixture
def laptop(alice: Any) -> Agent:
    return make_laptop(alice)


@pytest.fixture
def conversation(alice: Any) -> Conversation:
    return Conversation.objects.create(owner=alice, title="")


def ask(conversation: Conversation, text: str) -> Message:
    """Post a message and answer it here, synchronously; returns the answer."""
    posted = chat_actions.post_user_message(
        conversation=conversation,
        content=text,
        client_id=f"c{Message.objects.count()}",
        answer=False,
    )
    chat_actions.answer_message(message_id=posted.message.pk)
    return Message.objects.get(answer_to=posted.message)


def settle(predicate: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    """Wait for the in-process tasks (the resumed run) to get somewhere."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def waiting_on(answer: Message, prefix: str) -> bool:
    answer.refresh_from_db()
    run = AssistantRun.objects.get(answer=answer)
    return run.state == AssistantRun.State.WAITING and run.wait_key.startswith(prefix)


def agent_answers(run: CommandRun, entries: list[dict[str, Any]]) -> None:
    """What the agent's result frame does on the server (the consumer calls this)."""
    record_result(
        agent_id=run.agent_id,
        frame=protocol.Result(
            id=str(run.pk), ok=True, data={"path": run.params["path"], "entries": entries}
        ),
    )
