"""Errors are log lines, not tracebacks (issue "Hardening"): what a user can cause (a 404,
a 403 on the admin, a refused upload) is one line with the request id; an unexpected error
keeps its traceback; LMO_LOG_FORMAT=json writes one JSON object per line with the request
id, user id, route and duration."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings

from lmo.logs import json_formatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the console handler (with LMO's filters) writes during the test."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_a_404_is_one_info_line_with_the_request_id(client: Client, console: io.StringIO) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    lines = [line for line in console.getvalue().splitlines() if "Not Found" in line]
    assert len(lines) == 1
    assert " INFO django.request " in lines[0]
    assert f"[{response['X-Request-ID']}]" in lines[0]
    assert "Traceback" not in console.getvalue()


def test_a_403_on_the_admin_for_a_non_staff_user_is_a_warning_without_traceback(
    alice_client: Client, console: io.StringIO
) -> None:
    response = alice_client.get("/admin/login/")  # where /admin/ sends everyone first
    assert response.status_code == 403
    output = console.getvalue()
    assert "Forbidden" in output and " WARNING django.request " in output
    assert response["X-Request-ID"] in output
    assert "Traceback" not in output


def test_a_refused_upload_is_a_warning_without_traceback(
    alice_client: Client, console: io.StringIO
) -> None:
    # Over DATA_UPLOAD_MAX_MEMORY_SIZE: Django refuses it (RequestDataTooBig).
    response = alice_client.post("/dashboard/add/", {"title": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 400
    output = console.getvalue()
    assert "exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE" in output
    assert " WARNING django.security.RequestDataTooBig " in output
    assert " ERROR " not in output and "Traceback" not in output


@override_settings(ROOT_URLCONF="tests.lmo.boom_urls")
def test_an_unexpected_error_keeps_its_traceback(console: io.StringIO) -> None:
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    output = console.getvalue()
    assert "Traceback" in output and "RuntimeError: an unexpected failure" in output
    assert f"[{response['X-Request-ID']}]" in output


def test_a_sane_request_id_from_the_caller_is_kept_and_a_strange_one_replaced(
    client: Client,
) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123-def")["X-Request-ID"] == "abc-123-def"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n" + "x" * 100)["X-Request-ID"]
    assert len(replaced) == 32 and replaced.isalnum()


def test_json_lines_have_the_request_id_user_route_and_duration(
    alice_client: Client, alice, console: io.StringIO
) -> None:
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    plain = handler.formatter
    handler.setFormatter(json_formatter())
    access = logging.getLogger("lmo.request")
    level = access.level
    access.setLevel(logging.INFO)
    try:
        response = alice_client.get("/chat/")
    finally:
        handler.setFormatter(plain)
        access.setLevel(level)
    lines = [json.loads(line) for line in console.getvalue().splitlines()]
    line = next(entry for entry in lines if entry["logger"] == "lmo.request")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == alice.pk
    assert line["route"] == "chat/" and line["status"] == 200 and line["method"] == "GET"
    assert isinstance(line["duration_ms"], float) and line["level"] == "INFO"
    assert "request" not in line
