"""A URLconf with a view that fails unexpectedly (tests/lmo/test_logs.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("an unexpected failure")


urlpatterns = [path("boom/", boom), path("", include("lmo.urls"))]
