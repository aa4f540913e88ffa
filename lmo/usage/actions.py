"""Recording usage: one conditional increment of the day's row (created on first use)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lmo.usage.models import UsageDay


def record_usage(
    *,
    user_id: int,
    organisation_id: int,
    key_prefix: str = "",
    model: str = "",
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    llm_calls: int = 0,
    api_requests: int = 0,
    machine_commands: int = 0,
    day: date | None = None,
) -> None:
    slice_ = {
        "day": day or timezone.now().date(),
        "organisation_id": organisation_id,
        "user_id": user_id,
        "key_prefix": key_prefix[:16],
        "model": model[:200],
    }
    increments = {
        "prompt_tokens": max(0, int(prompt_tokens)),
        "completion_tokens": max(0, int(completion_tokens)),
        "llm_calls": max(0, int(llm_calls)),
        "api_requests": max(0, int(api_requests)),
        "machine_commands": max(0, int(machine_commands)),
    }
    updates: dict[str, Any] = {name: F(name) + value for name, value in increments.items() if value}
    if not updates:
        updates = {"llm_calls": F("llm_calls")}
    for _ in range(2):
        if UsageDay.objects.filter(**slice_).update(**updates):
            return
        try:
            with transaction.atomic():
                UsageDay.objects.create(**slice_, **increments)
            return
        except IntegrityError:
            continue  # created by a concurrent request: increment that row
