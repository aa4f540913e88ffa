"""The Celery app. Queues: ``default`` and ``high`` (urgent work never waits behind bulk).

Scaled mode (``REDIS_URL`` set): broker and results on Redis, run
``celery -A lmo worker -Q high,default`` and ``celery -A lmo beat``.
Embedded mode: ``LMOTask.apply_async`` hands tasks to a thread pool inside the server
process (lmo.tasks), so callers use the same ``.delay()`` in both modes."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lmo.settings")

app = Celery("lmo", task_cls="lmo.tasks:LMOTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
