"""Tokens as the model provider reports them (``usage_metadata`` of LangChain's
messages; the client asks for usage in streams with ``stream_usage``). The offline
assistant reports none, so it counts zero."""

from __future__ import annotations

from typing import Any

FIELDS = ("prompt_tokens", "completion_tokens")


def usage_of(message: Any) -> dict[str, int]:
    meta = getattr(message, "usage_metadata", None) or {}
    prompt, completion = int(meta.get("input_tokens") or 0), int(meta.get("output_tokens") or 0)
    if not (prompt or completion):
        return {}
    return {"prompt_tokens": prompt, "completion_tokens": completion}


def add_usage(total: Any, more: Any) -> dict[str, int]:
    """The sum of two usage figures (either may be None or empty)."""
    total = total if isinstance(total, dict) else {}
    more = more if isinstance(more, dict) else {}
    return {name: int(total.get(name) or 0) + int(more.get(name) or 0) for name in FIELDS}
