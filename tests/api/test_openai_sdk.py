"""The official ``openai`` SDK, unchanged, against a live LMO (Daphne in its own
process; in the scaled mode on PostgreSQL and Redis with a real Celery worker), with the
fake OpenAI server on loopback behind LMO as its model."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from django.conf import settings

from lmo.bench.processes import free_port, wait_for_http
from lmo.testing.fake_llm import FakeLLM, Reply
from tests.conftest import ROOT, clean_environ

SEED = """
import json
from datetime import timedelta
from django.utils import timezone
from lmo.accounts.models import User
from lmo.api.keys import create_api_key
from lmo.organisations.access import current_membership
from activities.actions.ingest import ingest_activities
u = User.objects.filter(email="ann@example.com").first() or User.objects.create_user(
    username="ann@example.com", email="ann@example.com", password="x")
ingest_activities(owner=u, source="manual", items=[{"id": "c1", "type": "financial",
    "timestamp": "2026-11-20T09:00:00Z", "description": "Flat white", "amount": "-3.20",
    "currency": "EUR", "category": "coffee"}])
_, raw = create_api_key(membership=current_membership(u), name="sdk", scopes=SCOPES,
    expires_at=timezone.now() + timedelta(days=1))
print("KEY=" + raw)
"""

# In the scaled mode the live server, the worker and the test share this run's database.
pytestmark = [pytest.mark.django_db(transaction=True)] if settings.LMO_SCALED else []


class LiveLMO:
    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "server.log"
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> LiveLMO:
        with self.log.open("ab") as log:
            server = subprocess.Popen(
                [sys.executable, "manage.py", "lmo_serve", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(server)
        wait_for_http(f"{self.url}/healthz", server)
        return self

    def key(self, scopes: list[str]) -> str:
        out = self.shell(SEED.replace("SCOPES", repr(scopes)))
        return next(line[4:] for line in out.splitlines() if line.startswith("KEY="))

    def shell(self, code: str) -> str:
        """Run ``code`` in a ``manage.py shell`` of its own (another process); its output."""
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def client(self, key: str) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{self.url}/api/v1", api_key=key, max_retries=0, timeout=30)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def lmo(fake: FakeLLM, tmp_path: Path) -> Iterator[LiveLMO]:
    env = {
        **clean_environ(),
        "LMO_VAR_DIR": str(tmp_path / "var"),
        "LMO_LLM_BASE_URL": fake.url,
        "LMO_LLM_API_KEY": "upstream-key",
        "LMO_LLM_MAX_RETRIES": "0",
        "LMO_API_KEEPALIVE_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    worker = None
    if settings.LMO_SCALED:
        from tests.conftest import start_worker, test_database_url

        env.update(DATABASE_URL=test_database_url(), REDIS_URL=str(settings.REDIS_URL))
        worker = start_worker({k: v for k, v in env.items() if k.startswith("LMO_")})
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'lmo.sqlite3'}"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
    live = LiveLMO(env, tmp_path).start()
    try:
        yield live
    finally:
        live.stop()
        if worker is not None:
            from tests.conftest import stop_worker

            stop_worker(worker)


def test_plain_and_streamed_completions_with_usage(lmo: LiveLMO, fake: FakeLLM) -> None:
    client = lmo.client(lmo.key(["chat"]))
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


def test_the_assistant_uses_the_users_activities(lmo: LiveLMO, fake: FakeLLM) -> None:
    client = lmo.client(lmo.key(["chat", "activities:read"]))
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
        lmo.client(key).chat.completions.create(
            model="lmo-assistant", messages=[{"role": "user", "content": "hi"}]
        )
    with pytest.raises(openai.AuthenticationError):
        lmo.client("lmo_nope_nope").models.list()
    chat_key = lmo.key(["chat"])
    with pytest.raises(openai.NotFoundError):
        lmo.client(chat_key).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hi"}]
        )
    with pytest.raises(openai.UnprocessableEntityError):
        lmo.client(chat_key).chat.completions.create(
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
    client = lmo.client(lmo.key(["chat"]))
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
    client = lmo.client(lmo.key(["chat"]))
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


COMPUTER = """
from agent_bridge.actions import create_token
from agent_bridge.models import Agent
from lmo.accounts.models import User
agent = Agent.objects.create(owner=User.objects.get(email="ann@example.com"), name="Studio")
print("TOKEN=" + create_token(agent=agent).raw)
"""

# Wait for the permission request the API's run opened; ann's signed-in (MFA-verified)
# browser session, to answer it from the page as she would.
PENDING = """
import time
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from lmo.accounts.models import User
from lmo.accounts.sessions import mark_login
from permissions.models import PermissionRequest
ann = User.objects.get(email="ann@example.com")
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    request = PermissionRequest.objects.filter(owner=ann, status="pending").first()
    if request is not None:
        break
    time.sleep(0.2)
device = TOTPDevice.objects.filter(user=ann).first() or TOTPDevice.objects.create(
    user=ann, name="phone", confirmed=True)
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(ann.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = ann.get_session_auth_hash()
store[DEVICE_ID_SESSION_KEY] = device.persistent_id
mark_login(store)
store.create()
print(f"COMMAND={request.target}.{request.action} REQUEST={request.pk} SESSION={store.session_key}")
"""


def _decide_in_the_page(lmo: LiveLMO, choice: str) -> str:
    """Answer the pending request from LMO's page, as the user's browser would."""
    import httpx

    found = dict(part.split("=", 1) for part in lmo.shell(PENDING).split()[-3:])
    with httpx.Client(base_url=lmo.url, cookies={"sessionid": found["SESSION"]}) as browser:
        browser.get("/settings/permissions/").raise_for_status()
        answered = browser.post(
            f"/permissions/requests/{found['REQUEST']}/decide/",
            data={"choice": choice},
            headers={"X-CSRFToken": browser.cookies["csrftoken"], "Origin": lmo.url},
        )
        assert answered.status_code in (200, 302), answered.text[:500]
    return found["COMMAND"]


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
        client = lmo.client(key)
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
        assert _decide_in_the_page(lmo, "once").startswith("filesystem.list")
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
        _decide_in_the_page(lmo, "deny")
        waiting.join(60)
        assert answers[0].choices[0].message.content == "You said no, so I did not look."
        denied = fake.requests[-1]["messages"][-1]
        assert denied["role"] == "tool" and "report.pdf" not in denied["content"]
    finally:
        agent.stop()
