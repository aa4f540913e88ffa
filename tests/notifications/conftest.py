from __future__ import annotations

from typing import Any

import pytest

from notifications.handlers import ActionRefused, register_handler

CALLS: list[tuple[int, dict[str, Any]]] = []


def _record(user: Any, params: dict[str, Any]) -> str:
    """A handler that authorizes like a real one: params name an owner id."""
    if params.get("owner") != user.pk:
        raise ActionRefused("Not yours.")
    CALLS.append((user.pk, params))
    return f"Recorded {params.get('what', '')}".strip()


register_handler("tests.record", _record)


@pytest.fixture
def handler_calls() -> list[tuple[int, dict[str, Any]]]:
    CALLS.clear()
    return CALLS
