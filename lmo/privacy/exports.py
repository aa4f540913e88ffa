"""The life of a data export: started (one at a time per user), built by a task with its
progress pushed live, ready with a notification, downloaded through a signed link that
works for its owner only and only until it expires, then deleted."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from lmo.live import push
from lmo.live.groups import user_group
from lmo.privacy.models import DataExport
from notifications.actions import notify
from notifications.models import Category, Priority

log = logging.getLogger(__name__)
LINK_SALT = "lmo.privacy.export"
# Failed or expired exports are listed this long, then forgotten.
KEEP_HISTORY = timedelta(days=30)
# A build that has shown no progress this long died with its worker.
STALLED = timedelta(hours=1)


def export_html(export: DataExport) -> str:
    """The export's row in Settings -> Profile, swapped in place on every open page."""
    return push.render("privacy/_export.html", {"export": export, "oob": True})


def _push(export: DataExport) -> None:
    push.send_on_commit(user_group(export.owner_id), lambda: export_html(export))


def start_export(*, user: Any) -> DataExport:
    """A new export (or the one already being built)."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one at a time
        current = DataExport.objects.filter(
            owner=user, state__in=(DataExport.State.QUEUED, DataExport.State.BUILDING)
        ).first()
        if current is not None:
            return current
        export = DataExport.objects.create(owner=user)
        transaction.on_commit(lambda: _enqueue(export.pk))
        _push(export)
    return export


def _enqueue(export_id: Any) -> None:
    from lmo.privacy.tasks import build_export

    build_export.delay(str(export_id))


def _claim(export_id: Any) -> DataExport | None:
    claimed = DataExport.objects.filter(pk=export_id, state=DataExport.State.QUEUED).update(
        state=DataExport.State.BUILDING, step="Starting"
    )
    if not claimed:
        return None
    return DataExport.objects.select_related("owner").get(pk=export_id)


def run_export(export_id: Any) -> bool:
    """Build the archive; on success the owner is told, on failure too."""
    from lmo.privacy.archive import build_archive

    export = _claim(export_id)
    if export is None:
        return False
    shown = {"percent": -1}

    def progress(percent: int, step: str) -> None:
        percent = max(0, min(100, int(percent)))
        if percent == shown["percent"]:
            return
        shown["percent"] = percent
        DataExport.objects.filter(pk=export.pk).update(
            progress=percent, step=step[:120], updated_at=timezone.now()
        )
        export.progress, export.step = percent, step[:120]
        push.send_now(user_group(export.owner_id), export_html(export))

    try:
        build_archive(export, progress=progress)
    except Exception as exc:
        log.exception("the export %s failed", export.pk)
        _finish_failed(export, exc)
        return False
    with transaction.atomic():
        now = timezone.now()
        export.state = DataExport.State.READY
        export.progress, export.step = 100, ""
        export.finished_at = now
        export.expires_at = now + timedelta(hours=settings.LMO_EXPORT_HOURS)
        export.save(update_fields=["state", "progress", "step", "finished_at", "expires_at"])
        notify(
            owner=export.owner,
            category=Category.SECURITY,
            priority=Priority.HIGH,
            title="Your data export is ready",
            body=(
                f"The archive ({filesizeformat(export.size)}) can be downloaded from Settings → "
                f"Profile for {settings.LMO_EXPORT_HOURS} hours. If you did not ask for it, "
                "change your password and sign out your other sessions."
            ),
            link=reverse("settings_tab", args=["profile"]) + "#export",
            dedupe_key=f"export:{export.pk}",
        )
        _push(export)
    return True


def _finish_failed(export: DataExport, exc: Exception | None) -> None:
    if export.file:
        default_storage.delete(str(export.file.name))
    with transaction.atomic():
        DataExport.objects.filter(pk=export.pk).update(
            state=DataExport.State.FAILED,
            error="The archive could not be built; try again, or ask your operator.",
            file="",
            finished_at=timezone.now(),
        )
        export.refresh_from_db()
        notify(
            owner=export.owner,
            category=Category.SECURITY,
            title="Your data export failed",
            body="Nothing was kept. You can start another one in Settings → Profile.",
            link=reverse("settings_tab", args=["profile"]) + "#export",
            dedupe_key=f"export-failed:{export.pk}",
        )
        _push(export)


def download_token(export: DataExport) -> str:
    return signing.dumps({"e": str(export.pk), "u": export.owner_id}, salt=LINK_SALT)


def download_url(export: DataExport) -> str:
    return reverse("privacy:download", args=[download_token(export)])


class LinkProblem(ValueError):
    """The link does not open an archive; the message says why."""


def export_for_link(token: str, user: Any) -> DataExport:
    """The ready export a signed link names, for its owner only."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=settings.LMO_EXPORT_HOURS * 3600)
    except signing.SignatureExpired:
        raise LinkProblem("This download link has expired. Start a new export.") from None
    except signing.BadSignature:
        raise LinkProblem("This download link is not valid.") from None
    if data.get("u") != user.pk:
        raise LinkProblem("This download link is for another account.")
    export = DataExport.objects.filter(pk=data.get("e"), owner=user).first()
    if export is None or not export.is_ready or not export.file:
        raise LinkProblem("This export is no longer available. Start a new export.")
    return export


def mark_downloaded(export: DataExport) -> None:
    DataExport.objects.filter(pk=export.pk, downloaded_at__isnull=True).update(
        downloaded_at=timezone.now()
    )


def purge_exports(now: Any = None) -> int:
    """Delete archives past their expiry (the row stays, as expired, for a while)."""
    now = now or timezone.now()
    expired = 0
    for export in DataExport.objects.filter(state=DataExport.State.READY, expires_at__lt=now):
        if export.file:
            default_storage.delete(str(export.file.name))
        DataExport.objects.filter(pk=export.pk).update(state=DataExport.State.EXPIRED, file="")
        expired += 1
    stalled = DataExport.objects.filter(
        state__in=(DataExport.State.QUEUED, DataExport.State.BUILDING),
        updated_at__lt=now - STALLED,
    )
    for export in stalled.select_related("owner"):
        _finish_failed(export, None)
    DataExport.objects.filter(
        state__in=(DataExport.State.EXPIRED, DataExport.State.FAILED),
        created_at__lt=now - KEEP_HISTORY,
    ).delete()
    return expired
