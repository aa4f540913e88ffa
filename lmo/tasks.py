"""Running Celery tasks in both runtime modes.

In the embedded mode there is no broker: ``apply_async`` submits the task to a small
thread pool in this process and returns at once, so calling ``.delay()`` from a view or
from async code never blocks the event loop or the request. The task body runs through
Celery's own ``Task.apply`` (same request context, retries, signals) in a worker thread.
Nothing survives a restart in this mode; the scaled mode is for work that must."""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


class InProcessResult:
    """What ``apply_async`` returns in the embedded mode: the id, and a way to wait."""

    def __init__(self, task_id: str, future: Future[Any]) -> None:
        self.id = task_id
        self.future = future

    def get(self, timeout: float | None = None) -> Any:
        return self.future.result(timeout)

    def ready(self) -> bool:
        return self.future.done()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=settings.LMO_TASK_THREADS, thread_name_prefix="lmo-task"
            )
        return _executor


def _run(task: Task, args: tuple[Any, ...], kwargs: dict[str, Any], task_id: str) -> Any:
    close_old_connections()
    try:
        result = task.apply(args=args, kwargs=kwargs, task_id=task_id)
        if result.failed():
            log.error("task %s[%s] failed: %r", task.name, task_id, result.result)
        return result.get(propagate=True, disable_sync_subtasks=False)
    finally:
        close_old_connections()


def _delay_seconds(options: dict[str, Any]) -> float:
    if options.get("countdown"):
        return max(0.0, float(options["countdown"]))
    eta = options.get("eta")
    if isinstance(eta, datetime):
        return max(0.0, (eta - datetime.now(UTC)).total_seconds())
    return 0.0


def submit_in_process(
    task: Task, args: Any, kwargs: Any, options: dict[str, Any]
) -> InProcessResult:
    task_id = str(options.get("task_id") or uuid.uuid4())
    call_args = tuple(args or ())
    call_kwargs = dict(kwargs or {})
    delay = _delay_seconds(options)
    if delay <= 0:
        return InProcessResult(task_id, _pool().submit(_run, task, call_args, call_kwargs, task_id))
    outer: Future[Any] = Future()

    def _later() -> None:
        inner = _pool().submit(_run, task, call_args, call_kwargs, task_id)
        inner.add_done_callback(lambda f: _chain(f, outer))

    timer = threading.Timer(delay, _later)
    timer.daemon = True
    timer.start()
    return InProcessResult(task_id, outer)


def _chain(source: Future[Any], target: Future[Any]) -> None:
    error = source.exception()
    if error is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())


class LMOTask(Task):
    """Celery's Task, sending to the in-process pool when there is no broker."""

    def apply_async(self, args: Any = None, kwargs: Any = None, *extra: Any, **options: Any) -> Any:
        if settings.LMO_TASKS_IN_PROCESS and not extra:
            return submit_in_process(self, args, kwargs, options)
        return super().apply_async(args, kwargs, *extra, **options)


@shared_task(name="lmo.ping")
def ping() -> str:
    """Round trip for /healthz and the scaled-mode worker test."""
    return "pong"


def check_runner(timeout: float = 2.5) -> None:
    """Raise unless a task can be run now (in-process pool, or a live worker via Redis)."""
    result = ping.apply_async(queue="high")
    if result.get(timeout=timeout) != "pong":
        raise RuntimeError("task runner answered unexpectedly")
