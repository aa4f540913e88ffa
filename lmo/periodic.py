"""Periodic tasks in the embedded mode, where there is no ``celery beat``.

A daemon thread of the server process reads the same ``CELERY_BEAT_SCHEDULE`` that beat
uses in the scaled mode, asks each entry's Celery schedule whether it is due, and sends
due tasks to the in-process pool. Schedules count from the server's start: a crontab
entry runs at its next matching time, an interval one after its first interval."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

from celery.schedules import maybe_schedule
from django.conf import settings

log = logging.getLogger(__name__)

_started = threading.Event()
MAX_SLEEP = 60.0


def _entries(app: Any) -> dict[str, tuple[str, Any]]:
    schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    return {
        name: (str(entry["task"]), maybe_schedule(entry["schedule"], app=app))
        for name, entry in schedule.items()
    }


def run_due(app: Any, entries: dict[str, tuple[str, Any]], last: dict[str, datetime]) -> float:
    """Send every due task; returns seconds until the next one may be due."""
    wait = MAX_SLEEP
    for name, (task_name, schedule) in entries.items():
        due, next_in = schedule.is_due(last[name])
        if due:
            last[name] = app.now()
            log.info("periodic task %s (%s) is due", name, task_name)
            try:
                app.tasks[task_name].apply_async()
            except Exception:  # one broken entry must not stop the others
                log.exception("periodic task %s (%s) could not be sent", name, task_name)
        wait = min(wait, max(float(next_in), 1.0))
    return wait


def _loop(app: Any, entries: dict[str, tuple[str, Any]], last: dict[str, datetime]) -> None:
    while True:
        time.sleep(run_due(app, entries, last))


def prepare(app: Any) -> dict[str, tuple[str, Any]]:
    """Finalize the Celery app and import every app's ``tasks`` module (what a worker
    does at start), so each scheduled task is registered; returns the schedule entries.
    Done in the starting thread: the scheduler thread then only reads the app, and never
    races a request that enqueues the first task."""
    app.finalize(auto=True)
    app.loader.import_default_modules()  # runs the autodiscovery of <app>.tasks
    return _entries(app)


def start_in_process_beat() -> bool:
    """Start the scheduler thread once per process (embedded mode only)."""
    if not settings.LMO_TASKS_IN_PROCESS or not settings.CELERY_BEAT_SCHEDULE:
        return False
    if _started.is_set():
        return False
    _started.set()
    from lmo.celery import app

    entries = prepare(app)
    last = {name: app.now() for name in entries}
    threading.Thread(
        target=_loop, args=(app, entries, last), name="lmo-periodic", daemon=True
    ).start()
    return True
