"""Priority isolation with real workers: a flood of normal-priority mail on the default
queue never delays an urgent one, which has the high queue (and its own worker)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from lmo.bench.processes import free_port
from notifications.actions import notify
from notifications.models import Category, CategoryPreference, Delivery, Priority
from tests.conftest import start_worker, stop_worker

pytestmark = [pytest.mark.scaled, pytest.mark.django_db(transaction=True)]
FLOOD = 120
SMTP_DELAY = 0.05  # a mail server that takes 50 ms per message


@dataclass
class SlowSMTP:
    received: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(SMTP_DELAY)
        subject = next(
            (
                line[9:]
                for line in envelope.content.decode().splitlines()
                if line.startswith("Subject: ")
            ),
            "",
        )
        with self.lock:
            self.received.append((time.monotonic(), subject))
        return "250 OK"

    def subjects(self) -> list[str]:
        with self.lock:
            return [s for _, s in self.received]


@pytest.fixture
def smtp() -> Iterator[tuple[SlowSMTP, int]]:
    handler = SlowSMTP()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _wait_for(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_urgent_mail_overtakes_a_flood(alice, smtp):
    handler, port = smtp
    env = {"EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    # The scaled deployment: a worker for both queues, and one that only takes ``high``.
    # The urgent one starts first: its readiness ping (on ``high``) could otherwise be
    # answered by the bulk worker, and the urgent mail would wait for a worker still starting.
    urgent_worker = start_worker(env, queues="high", concurrency=1)
    bulk = start_worker(env, queues="high,default", concurrency=2)
    try:
        CategoryPreference.objects.create(
            owner=alice, category=Category.ASSISTANT, email_min_priority=Priority.NORMAL
        )
        for i in range(FLOOD):
            notify(owner=alice, category=Category.ASSISTANT, title=f"bulk {i}")
        assert _wait_for(lambda: len(handler.subjects()) >= 5, 30)  # the flood is flowing
        sent_at = time.monotonic()
        notify(
            owner=alice, category=Category.SECURITY, title="URGENT decide now",
            priority=Priority.URGENT,
        )  # fmt: skip
        assert _wait_for(lambda: "[LMO] URGENT decide now" in handler.subjects(), 20)
        with handler.lock:
            got = next(t for t, s in handler.received if s == "[LMO] URGENT decide now")
            bulk_before = sum(
                1 for t, s in handler.received if s.startswith("[LMO] bulk") and t < got
            )
        waited = got - sent_at
        # The flood needs FLOOD * 50 ms / 2 threads (~3 s); the urgent mail did not wait for it.
        assert bulk_before < FLOOD * 0.6, bulk_before
        assert waited < 1.5, waited
        assert _wait_for(lambda: len(handler.subjects()) == FLOOD + 1, 60)
        # (a worker marks a delivery sent just after the mail server answered it)
        sent = Delivery.objects.filter(state=Delivery.State.SENT)
        assert _wait_for(lambda: sent.count() == FLOOD + 1, 10), sent.count()
    finally:
        stop_worker(bulk)
        stop_worker(urgent_worker)
