"""Health checks behind /healthz: database, cache, channel layer, task runner."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection

from lmo import tasks

log = logging.getLogger(__name__)
_TIMEOUT = 3.0


def _database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # Probes come every few seconds: do not leave a connection open per probe thread.
        close_old_connections()


def _cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("value written to the cache could not be read back")
    cache.delete(key)


async def _channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned a different message")


async def _timed(name: str, check: Callable[[], Awaitable[Any]]) -> tuple[str, dict[str, Any]]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), _TIMEOUT)
    except Exception as exc:  # every failure is a report, never a 500
        detail = str(exc) or exc.__class__.__name__
        log.warning("health check %s failed: %s", name, detail)
        return name, {"status": "down", "error": detail[:200]}
    return name, {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


async def check_all() -> dict[str, Any]:
    results = await asyncio.gather(
        _timed("database", sync_to_async(_database)),
        _timed("cache", sync_to_async(_cache)),
        _timed("channel_layer", _channel_layer),
        _timed("task_runner", sync_to_async(tasks.check_runner, thread_sensitive=False)),
    )
    checks = dict(results)
    healthy = all(c["status"] == "ok" for c in checks.values())
    return {
        "status": "ok" if healthy else "degraded",
        "version": settings.LMO_VERSION,
        "mode": "scaled" if settings.LMO_SCALED else "embedded",
        "checks": checks,
    }
