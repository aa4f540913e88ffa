"""The dashboard: panels, filters and search in the URL, the list, detail, manual
add/edit/tag, job status in place, CSV export, import, tracking; and charlie, who sees
none of alice's activities anywhere."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Activity, PendingImport, StatusChange, TrackingPreference
from tests.activities.conftest import job, spend, store

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"
URL = reverse("activities:dashboard")


@pytest.fixture
def data(alice: Any) -> None:
    store(
        alice,
        spend("g1", "-40.00", days_ago=3, category="groceries", merchant="Tesco", tags=["home"]),
        spend("g2", "-60.00", days_ago=40, category="groceries", merchant="Lidl"),
        spend("r1", "-25.50", days_ago=2, category="eating out", merchant="Pizza Place"),
        spend(
            "s1",
            "2500.00",
            days_ago=5,
            category="income",
            merchant="ACME Payroll",
            application="Payroll",
        ),
        spend(
            "u1", "-9.99", days_ago=4, category="subscriptions", merchant="Netflix", currency="USD"
        ),
        job("j1", "Acme", "Backend Engineer", days_ago=10),
        job("j2", "Globex", "SRE", days_ago=3, application="Lever"),
    )


def _figures(html: str) -> dict[str, Any]:
    """The figures of the page's charts, by chart id."""
    found = {}
    for part in html.split('id="chart-')[1:]:
        slug = part.split('"', 1)[0]
        if "application/json" in part.split("</figure>", 1)[0]:
            raw = part.split('type="application/json">', 1)[1].split("</script>", 1)[0]
            found[slug] = json.loads(raw)
    return found


def test_financial_panel_aggregates_the_main_currency(alice_client: Client, data: None) -> None:
    response = alice_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    figures = _figures(html)
    assert set(figures) == {
        "spending-over-time",
        "by-category",
        "top-merchants",
        "income-vs-spending",
    }
    by_category = figures["by-category"]["data"][0]
    assert dict(zip(by_category["y"], by_category["x"], strict=True)) == {
        "groceries": 100.0,
        "eating out": 25.5,
    }
    merchants = figures["top-merchants"]["data"][0]
    assert merchants["y"][-1] == "Lidl"  # the biggest is drawn on top
    assert "1 transaction(s) in other currencies" in html
    assert "2,625.50" not in html and "2,500.00 EUR" in html  # income in EUR only
    assert "vendor/plotly.min.js" in html and "cdn" not in html.lower()


def test_filters_and_search_narrow_charts_and_list_together(
    alice_client: Client, data: None
) -> None:
    response = alice_client.get(URL, {"q": "tesco"})
    html = response.content.decode()
    assert "Tesco purchase" in html and "Lidl purchase" not in html
    figures = _figures(html)
    assert figures["by-category"]["data"][0]["x"] == [40.0]
    html = alice_client.get(URL, {"tag": "home"}).content.decode()
    assert "Tesco purchase" in html and "Pizza Place purchase" not in html
    html = alice_client.get(URL, {"min": "30", "max": "70"}).content.decode()
    assert (
        "Tesco purchase" in html and "Lidl purchase" in html and "Pizza Place purchase" not in html
    )
    html = alice_client.get(URL, {"currency": "USD"}).content.decode()
    assert "Netflix purchase" in html and "Tesco purchase" not in html
    html = alice_client.get(URL, {"type": "job"}).content.decode()
    assert "Applied to Acme" in html and "Tesco purchase" not in html
    html = alice_client.get(URL, {"app": "Lever"}).content.decode()
    assert "Applied to Globex" in html and "Applied to Acme" not in html
    from datetime import date, timedelta

    since = (date.today() - timedelta(days=20)).isoformat()
    html = alice_client.get(URL, {"start": since}).content.decode()
    assert "Tesco purchase" in html and "Lidl purchase" not in html
    # bad filters are reported, not applied, and nothing breaks
    response = alice_client.get(URL, {"start": "2026-05-01", "end": "2026-01-01", "min": "abc"})
    assert response.status_code == 200
    assert "Some filters were not applied" in response.content.decode()


def test_htmx_gets_the_body_only(alice_client: Client, data: None) -> None:
    response = alice_client.get(
        URL, {"view": "jobs"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-body"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-body"')
    assert 'data-refresh="/dashboard/?view=jobs' in html


def test_jobs_timeline_and_time_panels(alice_client: Client, data: None) -> None:
    html = alice_client.get(URL, {"view": "jobs"}).content.decode()
    figures = _figures(html)
    pipeline = figures["pipeline"]["data"][0]
    assert (pipeline["y"], pipeline["x"]) == (["Applied"], [2])
    assert "applications-per-week" in figures
    assert "Waiting longest for news" in html and "10 days" in html
    html = alice_client.get(URL, {"view": "timeline", "by": "day"}).content.decode()
    traces = _figures(html)["timeline"]["data"]
    assert {t["name"] for t in traces} == {"Financial", "Job application"}
    assert sum(sum(t["y"]) for t in traces) == 7
    html = alice_client.get(URL, {"view": "time"}).content.decode()
    grid = _figures(html)["heatmap"]["data"][0]["z"]
    assert len(grid) == 7 and len(grid[0]) == 24 and sum(map(sum, grid)) == 7


def test_the_list_scrolls_on_by_cursor(alice: Any, alice_client: Client) -> None:
    store(alice, *[spend(f"n{i}", "-1.00", days_ago=i / 24) for i in range(120)])
    first = alice_client.get(URL).content.decode()
    assert first.count('class="activity-row') == 50
    cursor = first.split("cursor=", 1)[1].split('"', 1)[0].replace("&amp;", "&")
    from urllib.parse import unquote

    second = alice_client.get(
        reverse("activities:items"), {"cursor": unquote(cursor)}
    ).content.decode()
    assert second.count('class="activity-row') == 50
    ids_first = {p.split('"', 1)[0] for p in first.split('data-activity="')[1:]}
    ids_second = {p.split('"', 1)[0] for p in second.split('data-activity="')[1:]}
    assert not ids_first & ids_second
    third_cursor = unquote(second.split("cursor=", 1)[1].split('"', 1)[0])
    third = alice_client.get(reverse("activities:items"), {"cursor": third_cursor}).content.decode()
    assert third.count('class="activity-row') == 20 and "cursor=" not in third


def test_detail_shows_every_field_and_raw_details(
    alice: Any, alice_client: Client, data: None
) -> None:
    activity = Activity.objects.get(owner=alice, external_id="g1")
    html = alice_client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "-40.00 EUR" in html and "groceries" in html and "Tesco" in html and "home" in html
    assert "g1" in html and "Import" in html


def test_add_edit_tag_and_move_a_job_along(alice: Any, alice_client: Client, data: None) -> None:
    response = alice_client.post(
        reverse("activities:add"),
        {
            "type": "financial",
            "occurred_at": "2026-03-01T10:00",
            "description": "Bike repair",
            "amount": "-80",
            "currency": "eur",
            "tags": "bike, Repairs",
        },
    )
    activity = Activity.objects.get(owner=alice, description="Bike repair")
    assert response.status_code == 302
    assert (activity.source, activity.currency, activity.tag_names) == (
        "manual",
        "EUR",
        ["bike", "repairs"],
    )
    assert activity.occurred_at.astimezone(alice.tzinfo).hour == 10
    response = alice_client.post(
        reverse("activities:add"),
        {"type": "financial", "occurred_at": "2026-03-01T10:00", "description": "No amount"},
    )
    assert response.status_code == 400 and "needs an amount" in response.content.decode()
    edit = reverse("activities:edit", args=[activity.pk])
    assert "Bike repair" in alice_client.get(edit).content.decode()
    response = alice_client.post(
        edit,
        {
            "type": "financial",
            "occurred_at": "2026-03-02T09:00",
            "description": "Bike service",
            "amount": "-85.50",
            "currency": "EUR",
            "category": "transport",
            "tags": "bike",
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.description, str(activity.amount), activity.category, activity.tag_names) == (
        "Bike service",
        "-85.50",
        "transport",
        ["bike"],
    )
    job = Activity.objects.get(owner=alice, external_id="j1")
    response = alice_client.post(
        reverse("activities:status", args=[job.pk]), {"status": "interview"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'value="interview" selected' in response.content.decode()
    job.refresh_from_db()
    assert job.status == "interview"
    assert list(StatusChange.objects.filter(activity=job).values_list("status", flat=True)) == [
        "applied",
        "interview",
    ]
    response = alice_client.post(
        reverse("activities:status", args=[activity.pk]),
        {"status": "offer"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400 and "Only job applications" in response.content.decode()


def test_export_is_the_filtered_set_and_safe_in_spreadsheets(
    alice: Any, alice_client: Client, data: None
) -> None:
    store(alice, spend("evil", "-1.00", description='=HYPERLINK("http://x")'))
    response = alice_client.get(reverse("activities:export"), {"type": "financial"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[0][:3] == ["id", "type", "occurred_at"]
    assert len(rows) == 1 + 6 and {r[1] for r in rows[1:]} == {"financial"}
    assert any(r[4].startswith("'=HYPERLINK") for r in rows[1:])
    assert any(r[5] == "-40.00" for r in rows[1:])  # negative numbers stay numbers


def test_import_preview_marks_duplicates_then_confirm_stores_once(
    alice: Any, alice_client: Client
) -> None:
    upload = reverse("activities:import")
    with (FILES / "chase.csv").open("rb") as handle:
        response = alice_client.post(upload, {"file": handle})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chase" in html and "4 new" in html and "date ← Transaction Date" in html
    assert Activity.objects.filter(owner=alice).count() == 0  # nothing yet
    pending = PendingImport.objects.get(owner=alice)
    response = alice_client.post(reverse("activities:import_confirm", args=[pending.pk]))
    assert response.status_code == 302
    assert Activity.objects.filter(owner=alice, source="import").count() == 4
    with (FILES / "chase.csv").open("rb") as handle:
        html = alice_client.post(upload, {"file": handle}).content.decode()
    assert (
        "0 new" in html
        and "4 already imported" in html
        and html.count("Already imported</span>") == 4
    )
    pending = PendingImport.objects.get(owner=alice)
    alice_client.post(reverse("activities:import_confirm", args=[pending.pk]))
    assert Activity.objects.filter(owner=alice).count() == 4


def test_a_malformed_file_is_refused_with_its_lines(alice: Any, alice_client: Client) -> None:
    with (FILES / "bad-amount.csv").open("rb") as handle:
        response = alice_client.post(reverse("activities:import"), {"file": handle})
    html = response.content.decode()
    assert response.status_code == 400
    assert "line 3: cannot read the amount" in html and "line 5: cannot read the date" in html
    assert not Activity.objects.filter(owner=alice).exists() and not PendingImport.objects.exists()
    with (FILES / "bank-v1.ofx").open("rb") as handle:
        future = handle.read().replace(b"20260215", b"20991231")
    # a file whose transactions the server would refuse imports nothing either
    response = alice_client.post(
        reverse("activities:import"), {"file": _named(future, "future.ofx")}
    )
    assert (
        response.status_code == 400
        and "line 45" in response.content.decode()
        and "future" in response.content.decode()
    )
    assert not Activity.objects.filter(owner=alice).exists()


def _named(data: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_tracking_settings_and_delete_everything(
    alice: Any, alice_client: Client, data: None
) -> None:
    response = alice_client.post(
        reverse("activities:tracking"),
        {
            "track_financial": "on",
            "track_job": "on",
            "track_system": "on",
            "track_other": "on",
            "keep_financial": "365",
            "disabled_applications": "LinkedIn Easy Apply\nChase",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Saved" in response.content.decode()
    prefs = TrackingPreference.objects.get(owner=alice)
    assert (prefs.disabled_types, prefs.disabled_applications, prefs.retention_days) == (
        ["browser"],
        ["Chase", "LinkedIn Easy Apply"],
        {"financial": 365},
    )
    response = alice_client.post(
        reverse("activities:tracking"), {"keep_job": "0"}, HTTP_HX_REQUEST="true"
    )
    assert "greater than or equal to 1" in response.content.decode()
    assert TrackingPreference.objects.get(owner=alice).retention_days == {"financial": 365}
    response = alice_client.post(
        reverse("activities:delete_all"), {"confirm": "nope"}, HTTP_HX_REQUEST="true"
    )
    assert "nothing was deleted" in response.content.decode()
    assert Activity.objects.filter(owner=alice).count() == 7
    response = alice_client.post(
        reverse("activities:delete_all"), {"confirm": "delete"}, HTTP_HX_REQUEST="true"
    )
    assert "Deleted 7 activities" in response.content.decode()
    assert not Activity.objects.filter(owner=alice).exists()
    tab = alice_client.get(reverse("settings_tab", args=["tracking"])).content.decode()
    assert 'value="365"' in tab and "LinkedIn Easy Apply" in tab


def test_charlie_sees_none_of_alice_s_activities(
    alice: Any, charlie: Any, client: Client, login_verified: Any, data: None
) -> None:
    login_verified(client, charlie)
    store(charlie, spend("c1", "-1.00", merchant="Charlie Shop"))
    theirs = Activity.objects.get(owner=alice, external_id="g1")
    job = Activity.objects.get(owner=alice, external_id="j1")
    html = client.get(URL).content.decode()
    assert "Tesco" not in html and "Charlie Shop" in html
    for view in ("jobs", "timeline", "time"):
        assert "Acme" not in client.get(URL, {"view": view}).content.decode()
    assert "Tesco" not in client.get(reverse("activities:items")).content.decode()
    assert client.get(reverse("activities:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("activities:edit", args=[theirs.pk])).status_code == 404
    assert (
        client.post(
            reverse("activities:edit", args=[theirs.pk]),
            {"type": "other", "occurred_at": "2026-01-01T00:00", "description": "mine"},
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("activities:status", args=[job.pk]), {"status": "rejected"}).status_code
        == 404
    )
    export = b"".join(client.get(reverse("activities:export")).streaming_content).decode()  # type: ignore[attr-defined]
    assert "Tesco" not in export and "Charlie Shop" in export
    with (FILES / "chase.csv").open("rb") as handle:
        Client().post(reverse("activities:import"), {"file": handle})  # signed out: nothing
    alice_client = Client()
    login_verified(alice_client, alice)
    with (FILES / "chase.csv").open("rb") as handle:
        alice_client.post(reverse("activities:import"), {"file": handle})
    pending = PendingImport.objects.get(owner=alice)
    assert client.post(reverse("activities:import_confirm", args=[pending.pk])).status_code == 404
    assert client.post(reverse("activities:import_cancel", args=[pending.pk])).status_code == 404
    client.post(reverse("activities:delete_all"), {"confirm": "delete"})
    assert Activity.objects.filter(owner=alice).count() == 7
    job.refresh_from_db()
    assert job.status == "applied"


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    for name in ("dashboard", "items", "add", "export", "import"):
        response = client.get(reverse(f"activities:{name}"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
