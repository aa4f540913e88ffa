"""Reading grants, requests and audit records on a user's behalf (another user's are a
404, whatever the id)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from permissions.models import CommandRun, Grant, PermissionRequest, RunFile


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404("No such item.") from exc


def get_request_for_user(user: Any, pk: Any) -> PermissionRequest:
    return get_object_or_404(
        PermissionRequest.objects.select_related("agent"), pk=_uuid(pk), owner=user
    )


def computers_for_user(user: Any) -> list[Any]:
    """The user's paired computers (``agent_bridge.Agent``, through its owner relation),
    online first: what a grant or a block rule can name."""
    return list(user.agents.filter(revoked_at__isnull=True).order_by("-connected", "name"))


def get_computer_for_user(user: Any, pk: Any) -> Any:
    return get_object_or_404(user.agents.all(), pk=_uuid(pk))


def get_grant_for_user(user: Any, pk: Any) -> Grant:
    return get_object_or_404(Grant, pk=_uuid(pk), owner=user)


def audit_records_for_user(user: Any, filters: dict[str, Any]) -> Any:
    """The user's command records, newest first, narrowed by cleaned AuditFilter data."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    records = CommandRun.objects.owned_by(user).select_related(
        "agent", "grant", "permission_request", "decided_by"
    )
    if filters.get("computer"):
        records = records.filter(agent_id=filters["computer"])
    if filters.get("connector"):
        records = records.filter(target=filters["connector"])
    if filters.get("outcome"):
        records = records.filter(state=filters["outcome"])
    tz = user.tzinfo
    if filters.get("since"):
        start = datetime.combine(filters["since"], time.min)
        records = records.filter(created_at__gte=timezone.make_aware(start, tz))
    if filters.get("until"):
        end = datetime.combine(filters["until"] + timedelta(days=1), time.min)
        records = records.filter(created_at__lt=timezone.make_aware(end, tz))
    return records.order_by("-created_at")


def get_run_file_for_user(user: Any, pk: Any) -> RunFile:
    """A file of one of the user's command results (another user's is a 404)."""
    return get_object_or_404(RunFile, pk=_uuid(pk), run__owner=user)
