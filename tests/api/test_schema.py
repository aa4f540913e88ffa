"""schemathesis against LMO's own OpenAPI schema, with a valid key of every scope:
bounded generated requests to every operation; no 5xx, and every answer matches the
schema (status codes, content types, bodies)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import make_key

pytestmark = pytest.mark.django_db
EXAMPLES = 12
# Operations that start assistant runs and stream them are exercised by the SDK tests
# against a live server; generated bodies would only wait for answers here.
STREAMED = r"^/api/v1/(chat/completions|runs/\{run_id\}/events)$"


@pytest.fixture
def wsgi_app(db: Any) -> Iterator[Any]:
    # As Django's test client does: the WSGI handler must not close the test's
    # connection (and its transaction) at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_keeps_to_the_schema(wsgi_app: Any, alice: Any, settings: Any) -> None:
    settings.LMO_API_KEY_REQUESTS_PER_MINUTE = 100_000
    settings.LMO_API_ORG_REQUESTS_PER_MINUTE = 100_000
    headers = {"Authorization": f"Bearer {make_key(alice)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app).exclude(
        path_regex=STREAMED
    )
    checked = []
    for result in schema.get_all_operations():
        operation: Any = result.ok()  # type: ignore[union-attr]  # an Err fails the test here

        @given(case=operation.as_strategy())
        @settings_for_examples
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers)

        check()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 10, checked


settings_for_examples = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
