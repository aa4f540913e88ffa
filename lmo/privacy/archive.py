"""The archive of "Export my data": one zip of everything a user owns, written row by row
(every table is read with an iterator, every member written as it is read, so a large
account never sits in memory), then moved into storage.

- ``data/<app.Model>.jsonl``: every row of every model in ``owned_models()`` (a model added
  later is exported without anyone remembering to), without secrets (``SECRET_FIELDS``);
  files a row names are copied under ``files/``;
- readable copies: ``profile.json``, ``conversations/<id>.md``, ``activities.csv``;
- ``audit/chain.jsonl``, ``audit/head.json`` and ``audit/verify_audit.py`` (stdlib only);
- ``manifest.json`` (rows per model, members) and ``README.md``."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from lmo.csvexport import write_rows
from lmo.privacy.models import DataExport
from lmo.privacy.owned import Owned, owned_models

CHUNK = 2000
# Never exported: what would let someone act as the user (keys, token and code digests,
# session keys), or is only LMO's bookkeeping of a secret.
SECRET_FIELDS: dict[str, set[str]] = {
    "otp_totp.TOTPDevice": {"key"},
    "accounts.BackupCodeDevice": {"salt"},
    "accounts.BackupCode": {"digest"},
    "api.ApiKey": {"digest"},
    "api.IdempotentRequest": {"body"},
    "agent_bridge.AgentToken": {"digest"},
    "agent_bridge.Pairing": {"device_digest", "user_code"},
    "agent_bridge.Agent": {"channel_name"},
    "usersessions.UserSession": {"session_key", "data"},
    "account.EmailConfirmation": {"key"},
    "mcp_server.AuthorizationCode": {"digest", "code_challenge"},
    "mcp_server.OAuthToken": {"digest"},
    "chat.AssistantRun": {"token"},
}
SECRET_WORDS = ("password", "secret", "encrypted")
# Files whose content is not exported (earlier exports' archives).
FILES_LEFT_OUT = {"privacy.DataExport"}
Progress = Callable[[int, str], None]


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, bytes | memoryview):
            return f"<{len(bytes(o))} bytes>"
        return super().default(o)


def _line(value: Any) -> str:
    return json.dumps(value, cls=_Encoder, ensure_ascii=False) + "\n"


def exported_fields(owned: Owned) -> list[models.Field[Any, Any]]:
    secret = SECRET_FIELDS.get(owned.label, set())
    return [
        f
        for f in owned.model._meta.concrete_fields
        if f.name not in secret
        and f.attname not in secret
        and not any(word in f.name for word in SECRET_WORDS)
    ]


class _Writer:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.members: list[str] = []

    def text(self, name: str) -> IO[str]:
        self.members.append(name)
        raw = self.archive.open(name, "w", force_zip64=True)
        return io.TextIOWrapper(raw, encoding="utf-8", newline="")

    def copy(self, name: str, source: IO[bytes]) -> None:
        self.members.append(name)
        with self.archive.open(name, "w", force_zip64=True) as target:
            while block := source.read(1 << 20):
                target.write(block)


def _rows(owned: Owned, user_id: int, names: list[str]) -> Iterator[dict[str, Any]]:
    rows = owned.rows_of(user_id).order_by("pk").values(*names)
    yield from rows.iterator(chunk_size=CHUNK)


def _model_section(writer: _Writer, owned: Owned, user_id: int) -> int:
    fields = exported_fields(owned)
    names = [f.attname for f in fields]
    files = [f.attname for f in fields if isinstance(f, models.FileField)]
    binary = [f.attname for f in fields if isinstance(f, models.BinaryField)]
    later: list[tuple[str, Callable[[], IO[bytes]]]] = []  # one zip member open at a time
    count = 0
    with writer.text(f"data/{owned.label}.jsonl") as out:
        for row in _rows(owned, user_id, names):
            count += 1
            for name in binary:
                if row[name] is not None:
                    path = f"files/{owned.label}/{row.get('id', count)}-{name}"
                    later.append((path, _binary(owned, row.get("id"), name)))
                    row[name] = path
            for name in files:
                row[name] = _file(owned, row, name, later)
            out.write(_line(row))
    for path, opener in later:
        with opener() as source:
            writer.copy(path, source)
    return count


def _binary(owned: Owned, pk: Any, name: str) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        value = owned.model._default_manager.filter(pk=pk).values_list(name, flat=True).get()
        return io.BytesIO(bytes(value or b""))

    return opener


def _file(
    owned: Owned, row: dict[str, Any], name: str, later: list[tuple[str, Callable[[], IO[bytes]]]]
) -> str:
    stored = row[name]
    if not stored or owned.label in FILES_LEFT_OUT or not default_storage.exists(stored):
        return ""
    path = f"files/{owned.label}/{row.get('id', '')}-{PurePosixPath(stored).name}"
    later.append((path, lambda: default_storage.open(stored, "rb")))
    return path


def _profile(writer: _Writer, user: Any) -> None:
    from lmo.organisations.models import Membership

    memberships = [
        {"organisation": m.organisation.name, "role": m.role, "joined_at": m.joined_at}
        for m in Membership.objects.filter(user=user).select_related("organisation")
    ]
    profile = {
        "email": user.email,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "time_zone": str(getattr(user, "time_zone", "")),
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "organisations": memberships,
    }
    with writer.text("profile.json") as out:
        out.write(json.dumps(profile, cls=_Encoder, ensure_ascii=False, indent=2))


def _conversations(writer: _Writer, user_id: int) -> None:
    from chat.models import Conversation

    for conversation in Conversation.objects.filter(owner_id=user_id).iterator(chunk_size=200):
        messages = list(conversation.messages.order_by("created_at", "pk"))
        replies: dict[int, list[Any]] = {}
        for message in messages:
            if message.parent_id:
                replies.setdefault(message.parent_id, []).append(message)
        with writer.text(f"conversations/{conversation.pk}.md") as out:
            out.write(f"# {conversation.title or 'Conversation'}\n\n")
            for message in (m for m in messages if not m.parent_id):
                out.write(_markdown(message, ""))
                for reply in replies.get(message.pk, []):
                    out.write(_markdown(reply, "> "))


def _markdown(message: Any, prefix: str) -> str:
    who = "You" if message.sender == "user" else "Assistant"
    when = message.created_at.isoformat(timespec="minutes")
    text = message.content or ("(voice message)" if message.audio else "")
    body = "\n".join(prefix + line for line in text.splitlines()) or prefix
    return f"{prefix}**{who}** ({when}):\n{body}\n\n"


def _activities_csv(writer: _Writer, user: Any) -> None:
    from activities.csv_rows import activity_rows
    from activities.models import Activity

    with writer.text("activities.csv") as out:
        write_rows(out, activity_rows(Activity.objects.filter(owner_id=user.pk), user.tzinfo))


def _audit(writer: _Writer, user_id: int) -> None:
    from permissions.audit import SEALED_FIELDS, SEALED_WHEN_SET, _canonical
    from permissions.models import AuditHead, CommandRun

    sealed = (
        CommandRun.objects.filter(owner_id=user_id, audit_seq__isnull=False)
        .order_by("audit_seq")
        .values(*SEALED_FIELDS, *SEALED_WHEN_SET, "audit_digest")
    )
    with writer.text("audit/chain.jsonl") as out:
        for row in sealed.iterator(chunk_size=CHUNK):
            record = {
                "seq": row["audit_seq"],
                "digest": row["audit_digest"],
                "fields": {name: _canonical(row.get(name)) for name in SEALED_FIELDS},
                "when_set": {n: row[n] for n in SEALED_WHEN_SET if row.get(n)},
            }
            out.write(_line(record))
    head = AuditHead.objects.filter(owner_id=user_id).values("seq", "digest").first()
    with writer.text("audit/head.json") as out:
        out.write(json.dumps(head or {"seq": 0, "digest": ""}))
    with (Path(__file__).parent / "verify_audit.py").open("rb") as script:
        writer.copy("audit/verify_audit.py", script)


README = """# Your LMO data

Exported {when} for {email}.

- `profile.json`: your account, time zone and organisations.
- `data/<app.Model>.jsonl`: every row LMO keeps for you, one JSON object per line, one file
  per kind of record (conversations and messages with their threads, activities, tags and
  status history, computers, grants, permission requests, commands, notifications and
  preferences, usage, API keys' and connected apps' details...). Secrets (keys, token
  digests, session keys) are never included. `manifest.json` counts the rows of each.
- `files/`: the files those rows name (voice messages, uploaded statements).
- `conversations/<id>.md`: each conversation to read, replies under the message they answer.
- `activities.csv`: your activities for a spreadsheet.
- `audit/`: the sealed audit of every command on your computers. Check it offline:
  `cd audit && python3 verify_audit.py` recomputes each record's digest from the one before
  and says "OK: N records", or which record was changed or is missing.
"""


def build_archive(export: DataExport, *, progress: Progress) -> None:
    """Write the archive of ``export.owner`` into storage (``exports/<id>.zip``) and save
    its name and size on ``export``."""
    user = export.owner
    sections = owned_models()
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            writer = _Writer(archive)
            progress(1, "Your profile")
            _profile(writer, user)
            for index, owned in enumerate(sections):
                progress(
                    2 + int(80 * index / len(sections)), str(owned.model._meta.verbose_name_plural)
                )
                counts[owned.label] = _model_section(writer, owned, user.pk)
            progress(85, "Conversations")
            _conversations(writer, user.pk)
            progress(92, "Activities")
            _activities_csv(writer, user)
            progress(96, "Audit")
            _audit(writer, user.pk)
            with writer.text("README.md") as out:
                out.write(README.format(when=timezone.now().isoformat(), email=user.email))
            manifest = {
                "format": 1,
                "user": user.email,
                "created_at": timezone.now(),
                "models": counts,
                "files": [*writer.members, "manifest.json"],
            }
            with writer.text("manifest.json") as out:
                out.write(json.dumps(manifest, cls=_Encoder, ensure_ascii=False, indent=2))
        with path.open("rb") as handle:
            name = default_storage.save(f"exports/{export.pk}.zip", File(handle))
        export.size = path.stat().st_size
    export.file.name = name
    export.save(update_fields=["file", "size"])
    progress(100, "Ready")
