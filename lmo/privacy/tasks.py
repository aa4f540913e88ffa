from __future__ import annotations

import logging

from celery import shared_task

from lmo.privacy import deletion

log = logging.getLogger(__name__)


@shared_task(name="privacy.delete_account", acks_late=True)
def delete_account(deletion_id: int) -> bool:
    """Delete everything of an account (resumes where a crashed run stopped)."""
    return deletion.carry_out(deletion_id)


@shared_task(name="privacy.resume_deletions")
def resume_deletions() -> int:
    """Every few minutes: take up deletions that a crash interrupted."""
    resumed = 0
    for deletion_id in deletion.unfinished():
        log.warning("resuming the interrupted deletion %s", deletion_id)
        resumed += deletion.carry_out(deletion_id)
    return resumed


@shared_task(name="privacy.build_export")
def build_export(export_id: str) -> bool:
    """Build one data export's archive (its progress is pushed live)."""
    from lmo.privacy.exports import run_export

    return run_export(export_id)


@shared_task(name="privacy.purge_exports")
def purge_exports() -> int:
    """Hourly: delete archives whose download link expired."""
    from lmo.privacy.exports import purge_exports as purge

    return purge()
