"""LMO's URLs plus a bare Django view that ``api_overhead`` measures the API against: the
same JSON as ``GET /api/v1/conversations`` from the same query, with nothing of the API
around it (no key, scope, rate limit, request log, usage, ETag or schema)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from chat.models import Conversation

PAGE = 20


def bare_conversations(request: HttpRequest, owner_id: int) -> JsonResponse:
    rows = Conversation.objects.filter(owner_id=owner_id, archived=False).order_by("-pk")
    page = list(rows[: PAGE + 1])
    more = len(page) > PAGE
    page = page[:PAGE]
    items = [
        {
            "id": c.pk,
            "title": c.display_title,
            "archived": c.archived,
            "created_at": c.created_at,
            "last_message_at": c.last_message_at,
        }
        for c in page
    ]
    return JsonResponse({"items": items, "next_before": page[-1].pk if more and page else None})


urlpatterns = [
    path("bench/bare/conversations/<int:owner_id>/", bare_conversations),
    path("", include("lmo.urls")),
]
