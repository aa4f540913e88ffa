"""The official ``openai`` SDK, unchanged, against a live LMO (Daphne in its own
process; in the scaled mode on PostgreSQL and Redis with a real Celery worker), with the
fake OpenAI server on loopback behind LMO as its model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from django.conf import settings

from lmo.testing.fake_llm import FakeLLM, Reply
from tests.livelmo import (
    COMPUTER,
    LiveLMO,
    decide_in_the_page,
    migrated_sqlite,  # noqa: F401  (a fixture)
    running_lmo,
)

# In the scaled mode the live server, the worker and the test share this run's database.
pytestmark = [pytest.mark.django_db(transaction=True)] if settings.LMO_SCALED else []


@pytest.fixture
def lmo(fake: FakeLLM, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveLMO]:
    llm = {
        "LMO_LLM_BASE_URL": fake.url,
        "LMO_LLM_API_KEY": "upstream-key",
        "LMO_LLM_MAX_RETRIES": "0",
        "LMO_API_KEEPALIVE_SECONDS": "1",
    }
    with running_lmo(tmp_path, request, llm) as live:
        yield live


def sdk(lmo: LiveLMO, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{lmo.url}/api/v1", api_key=key, max_retries=0, timeout=30)


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.stop()


def test_plain_and_streamed_completions_with_usage(lmo: LiveLMO, fake: FakeLLM) -> None:
    client = sdk(lmo, lmo.key(["chat"]))
    assert [m.id for m in client.models.list()] == ["lmo-assistant"]

    fake.script(Reply(text="Hello from the assistant."))
    completion = client.chat.completions.create(
        model="lmo-assistant", messages=[{"role": "user", "content": "Say hello"}]
    )
    assert completion.choices[0].message.content == "Hello from the assistant."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.completion_tokens == 4
    assert completion.usage.prompt_tokens > 0
    # LMO's own key for the model endpoint is used upstream, never the caller's.
    assert fake.authorizations[-1] == "Bearer upstream-key"

    fake.script(Reply(text="One two three four five"))
    stream = client.chat.completions.create(
        model="lmo-assistant",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Count"},
            {"role": "assistant", "content": "To what?"},
            {"role": "user", "content": "To five"},
        ],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "One two three four five"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 5
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    # The earlier turns and the program's instructions reached the model.
    sent = fake.requests[-1]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert "Be brief." in sent[-1]["content"] and "To five" in sent[-1]["content"]
    # The request log has each completion's tokens; the stream's row is written when it ends.
    # (written by the server after the stream's last byte: wait for it)
    from tests.agent_bridge.live import wait_until

    def log_rows() -> list[list[str]]:
        logged = lmo.shell(
            "from lmo.api.models import RequestLog\n"
            "for r in RequestLog.objects.filter(path__endswith='/chat/completions').order_by('at'):\n"
            "    print('LOG', r.status, r.tokens, r.latency_ms > 0)"
        )
        return [line.split()[1:] for line in logged.splitlines() if line.startswith("LOG")]

    def both() -> list[list[str]] | None:
        rows = log_rows()
        return rows if len(rows) >= 2 else None

    rows = wait_until(both, 60, "the stream's log row")  # each look is a manage.py shell
    plain = completion.usage.prompt_tokens + completion.usage.completion_tokens
    streamed = chunks[-1].usage.prompt_tokens + chunks[-1].usage.completion_tokens
    assert rows == [["200", str(plain), "True"], ["200", str(streamed), "True"]]


def test_the_assistant_uses_the_users_activities(lmo: LiveLMO, fake: FakeLLM) -> None:
    client = sdk(lmo, lmo.key(["chat", "activities:read"]))
    fake.script(
        Reply(tool="activities_search", args={"query": "Flat white"}),
        Reply(text="You bought one flat white."),
    )
    completion = client.chat.completions.create(
        model="lmo-assistant",
        messages=[{"role": "user", "content": "What coffee did I buy?"}],
    )
    assert completion.choices[0].message.content == "You bought one flat white."
    tool_result = fake.requests[-1]["messages"][-1]
    assert tool_result["role"] == "tool" and "Found 1 activity" in tool_result["content"]


def test_sdk_errors_are_the_sdks_own(lmo: LiveLMO) -> None:
    key = lmo.key(["activities:read"])
    with pytest.raises(openai.PermissionDeniedError):
        sdk(lmo, key).chat.completions.create(
            model="lmo-assistant", messages=[{"role": "user", "content": "hi"}]
        )
    with pytest.raises(openai.AuthenticationError):
        sdk(lmo, "lmo_nope_nope").models.list()
    chat_key = lmo.key(["chat"])
    with pytest.raises(openai.NotFoundError):
        sdk(lmo, chat_key).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hi"}]
        )
    with pytest.raises(openai.UnprocessableEntityError):
        sdk(lmo, chat_key).chat.completions.create(
            model="lmo-assistant", messages=[{"role": "assistant", "content": "hi"}]
        )


def test_a_runs_events_stream_as_sse(lmo: LiveLMO, fake: FakeLLM) -> None:
    import httpx

    key = lmo.key(["chat"])
    headers = {"Authorization": f"Bearer {key}"}
    api = f"{lmo.url}/api/v1"
    conversation = httpx.post(f"{api}/conversations", json={}, headers=headers).json()
    fake.script(Reply(text="Streaming over events, slowly.", token_delay=0.2))
    posted = httpx.post(
        f"{api}/conversations/{conversation['id']}/messages",
        json={"content": "Tell me slowly"},
        headers=headers,
    ).json()
    events: list[tuple[str, dict[str, Any]]] = []
    with httpx.stream(
        "GET", f"{api}/runs/{posted['run']['id']}/events", headers=headers, timeout=30
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[6:])))
    kinds = [k for k, _ in events]
    assert kinds[0] == "snapshot" and kinds[-1] == "end" and "token" in kinds
    snapshot_text = (events[0][1].get("answer") or {}).get("content") or ""
    streamed = snapshot_text + "".join(e["text"] for k, e in events if k == "token")
    assert streamed.startswith(events[-1][1]["text"][: len(snapshot_text)])
    assert events[-1][1]["text"] == "Streaming over events, slowly."
    assert events[-1][1]["state"] == "finished"
    run = httpx.get(f"{api}/runs/{posted['run']['id']}", headers=headers).json()
    assert run["state"] == "finished" and run["answer"]["content"] == events[-1][1]["text"]


def test_a_used_up_quota_is_the_sdks_402(lmo: LiveLMO, fake: FakeLLM) -> None:
    client = sdk(lmo, lmo.key(["chat"]))
    lmo.shell(
        "from lmo.organisations.models import Membership\n"
        "m = Membership.objects.get(user__email='ann@example.com', is_current=True)\n"
        "m.organisation.monthly_token_quota = 0\n"
        "m.organisation.save()\n"
    )
    with pytest.raises(openai.APIStatusError) as raised:
        client.chat.completions.create(
            model="lmo-assistant", messages=[{"role": "user", "content": "hi"}]
        )
    assert raised.value.status_code == 402
    assert "quota" in str(raised.value)
    assert fake.requests == []


def test_a_rate_limited_key_is_the_sdks_rate_limit_error(lmo: LiveLMO) -> None:
    client = sdk(lmo, lmo.key(["chat"]))
    lmo.shell(
        "from lmo.organisations.models import Membership\n"
        "m = Membership.objects.get(user__email='ann@example.com', is_current=True)\n"
        "m.organisation.key_requests_per_minute = 2\n"
        "m.organisation.save()\n"
    )
    client.models.list()
    client.models.list()
    with pytest.raises(openai.RateLimitError) as raised:
        client.models.list()
    assert int(raised.value.response.headers["Retry-After"]) >= 1


def test_a_machine_command_waits_for_a_decision_made_elsewhere(
    lmo: LiveLMO, fake: FakeLLM, tmp_path: Path
) -> None:
    import threading

    import httpx

    from tests.agent_bridge.live import LocalAgent, wait_until

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(b"%PDF")
    key = lmo.key(["chat", "computers:run"])
    token = lmo.shell(COMPUTER).split("TOKEN=")[1].strip()
    agent = LocalAgent(
        tmp_path / "agent", lmo.url, token, f'[filesystem]\nroots = ["{folder}"]\n'
    ).start()
    try:
        headers = {"Authorization": f"Bearer {key}"}
        wait_until(
            lambda: any(
                c["online"]
                for c in httpx.get(f"{lmo.url}/api/v1/computers", headers=headers).json()
            ),
            30,
            "the computer to connect",
        )
        client = sdk(lmo, key)
        fake.script(
            Reply(tool="filesystem_list", args={"path": str(folder)}),
            Reply(text="Your folder holds report.pdf."),
        )
        chunks: list[Any] = []
        streaming = threading.Thread(
            target=lambda: chunks.extend(
                client.chat.completions.create(
                    model="lmo-assistant",
                    messages=[{"role": "user", "content": f"list files in {folder}"}],
                    stream=True,
                )
            )
        )
        streaming.start()
        # The stream is open and waiting while another process decides.
        assert decide_in_the_page(lmo, "once").startswith("filesystem.list")
        streaming.join(60)
        assert not streaming.is_alive()
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text == "Your folder holds report.pdf."
        tool_result = fake.requests[-1]["messages"][-1]
        assert tool_result["role"] == "tool" and "report.pdf" in tool_result["content"]

        # Not streaming: the call waits the same way; a denial is the model's to explain.
        fake.script(
            Reply(tool="filesystem_list", args={"path": str(folder)}),
            Reply(text="You said no, so I did not look."),
        )
        answers: list[Any] = []
        waiting = threading.Thread(
            target=lambda: answers.append(
                client.chat.completions.create(
                    model="lmo-assistant",
                    messages=[{"role": "user", "content": f"list files in {folder}"}],
                )
            )
        )
        waiting.start()
        decide_in_the_page(lmo, "deny")
        waiting.join(60)
        assert answers[0].choices[0].message.content == "You said no, so I did not look."
        denied = fake.requests[-1]["messages"][-1]
        assert denied["role"] == "tool" and "report.pdf" not in denied["content"]
    finally:
        agent.stop()


def test_two_concurrent_retries_with_one_idempotency_key_run_once(
    lmo: LiveLMO, fake: FakeLLM
) -> None:
    import threading

    client = sdk(lmo, lmo.key(["chat"]))
    fake.script(Reply(text="Counted once, slowly.", token_delay=0.3))
    answers: list[Any] = []

    def ask() -> None:
        answers.append(
            client.chat.completions.with_raw_response.create(
                model="lmo-assistant",
                messages=[{"role": "user", "content": "Count once"}],
                extra_headers={"Idempotency-Key": "same-question"},
            )
        )

    retries = [threading.Thread(target=ask) for _ in range(2)]
    for retry in retries:
        retry.start()
    for retry in retries:
        retry.join(60)
    assert len(answers) == 2
    first, second = (a.parse() for a in answers)
    assert first.id == second.id
    assert first.choices[0].message.content == "Counted once, slowly."
    assert len(fake.requests) == 1  # one run: the model was asked once
    replayed = [a.headers.get("Idempotent-Replayed") for a in answers]
    assert replayed.count("true") == 1
    assert "Conversations: 1" in lmo.shell(
        "from chat.models import Conversation\n"
        "print('Conversations:', Conversation.objects.count())"
    )
