"""Text every database keeps: PostgreSQL stores no NUL (``\\x00``) in text or jsonb, so
input holding one is refused up front with the place it was found (never a crash on
save, never silently changed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NUL = "\x00"
NUL_MESSAGE = "text may not contain NUL (\\x00) characters"
# The same rule for JSON Schema (OpenAPI): any text without a NUL.
NUL_FREE_PATTERN = "^[^\\u0000]*$"
# ...that is more than spaces (a message, a title).
NOT_BLANK_PATTERN = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


def nul_at(value: Any, where: str = "") -> str | None:
    """The path of the first string (or mapping key) in ``value`` holding a NUL, else None.
    ``""`` means ``value`` itself."""
    if isinstance(value, str):
        return where if NUL in value else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and NUL in key:
                return path
            found = nul_at(item, path)
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = nul_at(item, f"{where}.{index}" if where else str(index))
            if found is not None:
                return found
    return None


def refuse_nul(value: Any, field: str = "") -> Any:
    """For a pydantic ``mode="before"`` validator of ``field``: ``value`` unchanged, or a
    ValueError naming where the NUL is (``messages.0.content``)."""
    found = nul_at(value, field)
    if found is not None:
        raise ValueError(f"{NUL_MESSAGE} (at {found})" if found else NUL_MESSAGE)
    return value
