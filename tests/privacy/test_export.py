"""Export my data: one archive of every row the user owns (walked over the models, so a
model added later is in it), readable copies, the audit chain that verifies offline and
catches an edit, no secret and nothing of anyone else; a signed link for the owner only,
while it lasts; the same export through the API."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from lmo.accounts.models import User
from lmo.privacy import exports
from lmo.privacy.archive import SECRET_FIELDS, exported_fields
from lmo.privacy.models import DataExport
from lmo.privacy.owned import owned_models
from notifications.models import Notification
from tests.api.conftest import ApiClient, make_key
from tests.privacy.everything import seed_everything

pytestmark = pytest.mark.django_db
# Fields whose names sound secret but are not: the audit chain's digests (exported so it
# can be verified), a client's own idempotency key, an OAuth client's id.
NOT_SECRET = {
    "permissions.AuditHead": {"digest"},
    "permissions.CommandRun": {"audit_digest", "idempotency_key", "key_prefix", "error_code"},
    "permissions.PermissionRequest": {"idempotency_key", "key_prefix"},
    "api.ApiKey": {"prefix"},
    "api.IdempotentRequest": {"key"},
    "api.RequestLog": {"key_prefix", "tokens"},
    "usage.UsageDay": {"key_prefix", "prompt_tokens", "completion_tokens"},
    "agent_bridge.AgentToken": {"prefix"},
    "mcp_server.McpConnection": {"key"},
    "notifications.Notification": {"dedupe_key", "acted_key"},
    "organisations.Membership": {"monthly_token_quota"},
    "chat.AssistantRun": {"wait_key"},
}
SECRET_WORDS = ("digest", "key", "token", "secret", "salt", "session", "password", "code")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _built(user: User) -> tuple[DataExport, list[int]]:
    seen: list[int] = []
    export = exports.start_export(user=user)
    before.clear()
    before.update({o.label: o.rows_of(user.pk).count() for o in owned_models()})

    def record(group: str, html: str) -> None:  # the progress bar pushed to the page
        seen.append(int(html.split('value="')[1].split('"')[0]) if 'value="' in html else 100)

    with mock.patch.object(exports.push, "send_now", record):
        assert exports.run_export(export.pk)
    export.refresh_from_db()
    return export, seen


before: dict[str, int] = {}  # the user's rows when the build started


def _members(export: DataExport) -> dict[str, bytes]:
    with default_storage.open(str(export.file.name), "rb") as handle:
        data = handle.read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_archive_holds_every_row_of_the_user_and_nothing_else(alice: User, bob: User) -> None:
    secrets = seed_everything(alice)
    seed_everything(bob)
    export, shown = _built(alice)
    assert export.state == DataExport.State.READY and export.size > 0
    assert export.expires_at is not None and export.expires_at > timezone.now()
    assert shown == sorted(shown) and shown[-1] == 100  # progress, pushed live
    files = _members(export)
    manifest = json.loads(files["manifest.json"])
    # Every model a user's rows live in, with every row (the export's own row included).
    assert manifest["models"] == before
    assert set(before) == {o.label for o in owned_models()}
    assert set(manifest["files"]) == set(files)
    everything = b"\n".join(files.values())
    assert b"bob@example.com" not in everything
    for secret in (secrets["api_key"], secrets["agent_token"], secrets["oauth_token"]):
        assert secret.encode() not in everything
    assert secrets["totp_key"].encode() not in everything
    assert not any(code.encode() in everything for code in secrets["backup_codes"])
    # Readable copies.
    (talk,) = [n for n in files if n.startswith("conversations/")]
    text = files[talk].decode()
    assert "**You**" in text and "Question from alice@example.com" in text
    assert "> Thread reply of alice@example.com" in text
    assert b"Coffee of alice@example.com" in files["activities.csv"]
    (clip,) = [n for n in files if n.startswith("files/chat.Message/")]
    assert files[clip] == b"voice of alice@example.com"
    profile = json.loads(files["profile.json"])
    assert profile["email"] == "alice@example.com" and "password" not in profile
    note = Notification.objects.get(owner=alice, title="Your data export is ready")
    assert note.link == "/settings/profile/#export"


def test_the_audit_chain_verifies_offline_and_shows_an_edit(alice: User, tmp_path: Path) -> None:
    seed_everything(alice)
    export, _ = _built(alice)
    folder = tmp_path / "unzipped"
    with default_storage.open(str(export.file.name), "rb") as handle:
        zipfile.ZipFile(handle).extractall(folder)
    audit = folder / "audit"

    def verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "verify_audit.py"], cwd=audit, capture_output=True, text=True
        )

    checked = verify()
    assert (checked.returncode, checked.stdout.strip()) == (0, "OK: 2 records")
    lines = (audit / "chain.jsonl").read_text().splitlines()
    record = json.loads(lines[0])
    record["fields"]["params"]["path"] = "~/something else"
    (audit / "chain.jsonl").write_text("\n".join([json.dumps(record), *lines[1:]]) + "\n")
    tampered = verify()
    assert (tampered.returncode, tampered.stdout.strip()) == (1, "record 1 was changed")
    (audit / "chain.jsonl").write_text(lines[0] + "\n")  # the last record removed
    assert verify().stdout.strip() == "records after 1 are missing"


def test_no_field_that_sounds_secret_is_exported_unless_it_is_known_not_to_be() -> None:
    """A model added later with a token or key column fails here until it is listed."""
    for owned in owned_models():
        shown = {f.name for f in exported_fields(owned)}
        for field in owned.model._meta.concrete_fields:
            if field.name not in shown or field.is_relation:
                continue
            if any(word in field.name for word in SECRET_WORDS):
                assert field.name in NOT_SECRET.get(owned.label, set()), (
                    f"{owned.label}.{field.name}: add it to SECRET_FIELDS or to NOT_SECRET"
                )
    assert SECRET_FIELDS["otp_totp.TOTPDevice"] == {"key"}


def test_the_link_opens_for_its_owner_only_and_while_it_lasts(
    alice: User,
    bob: User,
    alice_client: Client,
    login_verified: Any,
    settings: Any,
    monkeypatch: Any,
) -> None:
    seed_everything(alice)
    export, _ = _built(alice)
    url = exports.download_url(export)
    page = alice_client.get(reverse("settings_tab", args=["profile"])).content.decode()
    # (the page signs its own link: its timestamp may be a second later than this one's)
    assert url.split(":")[0] in page
    response = alice_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content)[:2] == b"PK"  # type: ignore[attr-defined]
    export.refresh_from_db()
    assert export.downloaded_at is not None
    bob_client = login_verified(Client(), bob)
    other = bob_client.get(url)
    assert other.status_code == 403 and "for another account" in other.content.decode()
    assert alice_client.get(url[:-3] + "abc/").status_code == 403  # tampered
    assert Client().get(url).status_code == 302  # signed out: sign in first
    later = timezone.now() + timedelta(hours=settings.LMO_EXPORT_HOURS, minutes=1)
    earlier = (timezone.now() - timedelta(hours=settings.LMO_EXPORT_HOURS, minutes=1)).timestamp()
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(earlier))
    )
    old_url = exports.download_url(export)  # a link signed longer ago than it lasts
    monkeypatch.undo()
    expired = alice_client.get(old_url)
    assert expired.status_code == 403 and "expired" in expired.content.decode()
    # The hourly purge deletes the archive once it expired.
    assert exports.purge_exports(now=later) == 1
    export.refresh_from_db()
    assert export.state == DataExport.State.EXPIRED and not export.file
    assert "no longer available" in alice_client.get(url).content.decode()


def test_one_export_at_a_time_and_the_page_starts_it(alice: User, alice_client: Client) -> None:
    response = alice_client.post(reverse("privacy:export"))
    assert response.status_code == 302
    alice_client.post(reverse("privacy:export"))
    (export,) = DataExport.objects.filter(owner=alice)
    assert export.state == DataExport.State.QUEUED


def test_a_stalled_build_fails_and_says_so(alice: User) -> None:
    export = DataExport.objects.create(owner=alice, state=DataExport.State.BUILDING)
    exports.purge_exports(now=timezone.now() + exports.STALLED + timedelta(minutes=1))
    export.refresh_from_db()
    assert export.state == DataExport.State.FAILED
    assert Notification.objects.filter(owner=alice, title="Your data export failed").exists()


def test_a_large_account_streams_into_the_archive(alice: User) -> None:
    now = timezone.now()
    Activity.objects.bulk_create(
        Activity(
            owner=alice,
            type="other",
            occurred_at=now,
            description=f"Event {n} " + "x" * 200,
            source="api",
            external_id=f"e{n}",
        )
        for n in range(20_000)
    )
    tracemalloc.start()
    try:
        export, _ = _built(alice)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    files = _members(export)
    assert json.loads(files["manifest.json"])["models"]["activities.Activity"] == 20_000
    assert files["activities.csv"].count(b"\n") == 20_001
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.1f} MB: the rows were not streamed"


def test_the_api_starts_follows_and_downloads_the_same_export(alice: User, bob: User) -> None:
    api = ApiClient(make_key(alice, scopes=["export"]))
    started = api.post("/api/v1/exports", {})
    assert started.status_code == 202
    export_id = started.json()["id"]
    assert api.post("/api/v1/exports", {}).json()["id"] == export_id  # one at a time
    assert api.get(f"/api/v1/exports/{export_id}").json()["state"] == "queued"
    assert api.get(f"/api/v1/exports/{export_id}/archive").status_code == 409
    assert exports.run_export(export_id)
    followed = api.get(f"/api/v1/exports/{export_id}").json()
    assert followed["state"] == "ready" and followed["archive_url"]
    archive = api.get(followed["archive_url"])
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    bob_api = ApiClient(make_key(bob, scopes=["export"]))
    assert bob_api.get(f"/api/v1/exports/{export_id}").status_code == 404
    assert bob_api.get(f"/api/v1/exports/{export_id}/archive").status_code == 404
    chat_only = ApiClient(make_key(alice, scopes=["chat"]))
    assert chat_only.get(f"/api/v1/exports/{export_id}").status_code == 403
