from __future__ import annotations

import asyncio
import threading
import time

import pytest
from celery import shared_task
from django.conf import settings

from lmo.celery import app
from lmo.tasks import check_runner, ping

_gate = threading.Event()


@shared_task(name="tests.wait_for_gate")
def wait_for_gate() -> str:
    _gate.wait(10)
    return "done"


def test_celery_is_configured_for_reliable_delivery() -> None:
    conf = app.conf
    assert {q.name for q in conf.task_queues} == {"default", "high"}
    assert conf.task_default_queue == "default"
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert conf.result_backend_transport_options["visibility_timeout"] == visibility
    assert conf.task_time_limit < visibility


@pytest.mark.embedded
async def test_in_process_tasks_never_block_the_event_loop() -> None:
    assert settings.LMO_TASKS_IN_PROCESS
    _gate.clear()
    started = time.perf_counter()
    result = wait_for_gate.delay()
    assert time.perf_counter() - started < 0.5
    # The loop keeps turning while the task waits in its worker thread.
    for _ in range(5):
        await asyncio.sleep(0.01)
    assert not result.ready()
    _gate.set()
    assert await asyncio.to_thread(result.get, 5) == "done"


@pytest.mark.embedded
def test_in_process_countdown_runs_later() -> None:
    started = time.monotonic()
    result = ping.apply_async(countdown=0.3)
    assert result.get(timeout=5) == "pong"
    assert time.monotonic() - started >= 0.3


@pytest.mark.scaled
def test_a_real_worker_runs_tasks_from_both_queues_over_redis(
    request: pytest.FixtureRequest,
) -> None:
    with pytest.raises(Exception):  # noqa: B017 (no worker yet: the health check must fail)
        check_runner(timeout=1.0)
    request.getfixturevalue("task_worker")
    assert ping.apply_async(queue="high").get(timeout=30) == "pong"
    assert ping.apply_async(queue="default").get(timeout=30) == "pong"
    check_runner(timeout=10)
