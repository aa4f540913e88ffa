"""The embedded mode's periodic tasks: the beat schedule, run from the server process."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import time_machine

from lmo.celery import app
from lmo.periodic import _entries, run_due


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def __getitem__(self, name: str) -> Any:
        recorder = self

        class _Task:
            def apply_async(self) -> None:
                recorder.sent.append(name)

        return _Task()


def test_the_digest_runs_on_the_hour_and_the_purge_daily(monkeypatch):
    recorder = _Recorder()
    monkeypatch.setattr(type(app), "tasks", property(lambda self: recorder))
    entries = {k: v for k, v in _entries(app).items() if v[0].startswith("notifications.")}
    assert {task for task, _ in entries.values()} == {
        "notifications.send_digests",
        "notifications.purge",
    }
    start = dt.datetime(2026, 5, 4, 2, 50, tzinfo=dt.UTC)
    last = dict.fromkeys(entries, start)
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        wait = run_due(app, entries, last)
        assert recorder.sent == [] and 1 <= wait <= 60
    with time_machine.travel(start + dt.timedelta(minutes=11), tick=False):
        run_due(app, entries, last)  # 03:01: the hourly digest
        assert recorder.sent == ["notifications.send_digests"]
        run_due(app, entries, last)
        assert recorder.sent == ["notifications.send_digests"]  # once per hour
    with time_machine.travel(start + dt.timedelta(minutes=28), tick=False):
        run_due(app, entries, last)  # 03:18: the daily purge
        assert recorder.sent == ["notifications.send_digests", "notifications.purge"]


def test_commands_past_their_deadline_are_expired_every_ten_seconds(monkeypatch):
    recorder = _Recorder()
    monkeypatch.setattr(type(app), "tasks", property(lambda self: recorder))
    entries = {k: v for k, v in _entries(app).items() if v[0] == "permissions.expire_runs"}
    start = dt.datetime(2026, 5, 4, 2, 50, tzinfo=dt.UTC)
    last = dict.fromkeys(entries, start)
    with time_machine.travel(start + dt.timedelta(seconds=5), tick=False):
        assert run_due(app, entries, last) <= 5
        assert recorder.sent == []
    with time_machine.travel(start + dt.timedelta(seconds=11), tick=False):
        run_due(app, entries, last)
        assert recorder.sent == ["permissions.expire_runs"]


def test_every_scheduled_task_is_registered_in_a_fresh_server_process() -> None:
    """The server imports no ``tasks`` module by itself: the scheduler must load them."""
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from lmo.celery import app\n"
        "from lmo.periodic import prepare\n"
        "prepare(app)\n"
        "missing = [e['task'] for e in settings.CELERY_BEAT_SCHEDULE.values() if e['task'] not in app.tasks]\n"
        "print(missing)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_failing_entry_does_not_stop_the_others(monkeypatch):
    sent: list[str] = []

    class _Tasks:
        def __getitem__(self, name: str) -> Any:
            class _Task:
                def apply_async(self) -> None:
                    if name == "notifications.send_digests":
                        raise RuntimeError("broker down")
                    sent.append(name)

            return _Task()

    monkeypatch.setattr(type(app), "tasks", property(lambda self: _Tasks()))
    entries = _entries(app)
    start = dt.datetime(2026, 5, 4, 2, 50, tzinfo=dt.UTC)
    last = dict.fromkeys(entries, start)
    with time_machine.travel(start + dt.timedelta(days=1, minutes=30), tick=False):
        run_due(app, entries, last)
    assert "notifications.purge" in sent and "permissions.expire_runs" in sent
