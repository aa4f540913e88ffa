from __future__ import annotations

import pytest
from django.test import AsyncClient

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("task_worker")]

BROKEN_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


async def test_healthz_reports_every_part(async_client: AsyncClient, settings) -> None:
    response = await async_client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"] == settings.LMO_VERSION
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "task_runner"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


async def test_healthz_is_503_when_the_cache_is_down(async_client: AsyncClient, settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": BROKEN_REDIS,
        }
    }
    response = await async_client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["status"] == "down"
    assert body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["status"] == "ok"


async def test_healthz_is_503_when_the_channel_layer_is_down(
    async_client: AsyncClient, settings
) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [BROKEN_REDIS]},
        }
    }
    response = await async_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"]["status"] == "down"


async def test_healthz_needs_no_login_and_no_https_redirect(
    async_client: AsyncClient, settings
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    response = await async_client.get("/healthz")
    assert response.status_code == 200
    assert (await async_client.get("/accounts/login/")).status_code == 301
