"""Chat fixtures: a fake OpenAI-compatible server on loopback, a conversation, and a
fresh checkpoint store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chat.models import Conversation
from lmo.testing.fake_llm import FakeLLM


@pytest.fixture(autouse=True)
def _checkpoints(tmp_path: Path, settings: Any) -> None:
    settings.LMO_CHECKPOINT_PATH = tmp_path / "checkpoints.sqlite3"


@pytest.fixture
def fake_llm(settings: Any) -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    settings.LMO_LLM_BASE_URL = server.url
    settings.LMO_LLM_API_KEY = "test-key"
    settings.LMO_LLM_ENABLED = True
    settings.LMO_LLM_MAX_RETRIES = 0
    settings.LMO_LLM_TIMEOUT = 5.0
    settings.LMO_STT_BASE_URL = server.url
    settings.LMO_STT_API_KEY = "test-key"
    settings.LMO_STT_ENABLED = True
    yield server
    server.stop()


@pytest.fixture
def offline(settings: Any) -> None:
    settings.LMO_LLM_BASE_URL = None
    settings.LMO_LLM_API_KEY = None
    settings.LMO_LLM_ENABLED = False


@pytest.fixture
def conversation(alice: Any) -> Conversation:
    return Conversation.objects.create(owner=alice, title="")


class RecordingSink:
    """A runner sink that keeps what it was told."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.tokens: list[str] = []
        self.phases: list[str] = []
        self.stop_after = stop_after

    def on_phase(self, phase: str, detail: dict[str, Any]) -> None:
        self.phases.append(phase if phase != "tool" else f"tool:{detail.get('tool')}")

    def on_token(self, text: str) -> None:
        self.tokens.append(text)

    def should_stop(self) -> bool:
        return self.stop_after is not None and len(self.tokens) >= self.stop_after


@pytest.fixture
def task_runner(settings: Any) -> Iterator[None]:
    """Whatever runs chat tasks: the in-process pool embedded, a real Celery worker
    process scaled (pointed at the same LLM and speech endpoints as this test). Request
    it after ``fake_llm`` / ``offline``."""
    if not settings.LMO_SCALED:
        yield
        return
    from tests.conftest import start_worker, stop_worker

    env = {
        "LMO_LLM_BASE_URL": settings.LMO_LLM_BASE_URL or "",
        "LMO_LLM_API_KEY": settings.LMO_LLM_API_KEY or "",
        "LMO_LLM_MAX_RETRIES": str(settings.LMO_LLM_MAX_RETRIES),
        "LMO_STT_BASE_URL": settings.LMO_STT_BASE_URL or "",
        "LMO_STT_API_KEY": settings.LMO_STT_API_KEY or "",
    }
    worker = start_worker(env)
    yield
    stop_worker(worker)
