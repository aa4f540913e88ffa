"""Export my data, for programs: start an export, follow it, download the archive (the
same export as Settings -> Profile, lmo.privacy)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from lmo.api.auth import require_scope
from lmo.api.models import Scope
from lmo.api.problems import Problem
from lmo.privacy import exports
from lmo.privacy.models import DataExport

router = Router(tags=["export"])


class ExportOut(Schema):
    id: UUID
    state: str = Field(description="queued, building, ready, failed or expired.")
    progress: int = Field(description="Percent done.")
    step: str
    size: int = Field(description="Bytes of the archive, once ready.")
    created_at: datetime
    expires_at: datetime | None
    archive_url: str | None = Field(description="GET it with the same key, while ready.")


def _out(export: DataExport) -> ExportOut:
    ready = export.is_ready
    return ExportOut(
        id=export.pk,
        state=export.state,
        progress=export.progress,
        step=export.step,
        size=export.size,
        created_at=export.created_at,
        expires_at=export.expires_at,
        archive_url=reverse("api:export_archive", args=[export.pk]) if ready else None,
    )


def _export(request: HttpRequest, export_id: UUID) -> DataExport:
    require_scope(request, Scope.EXPORT)
    export = DataExport.objects.filter(pk=export_id, owner_id=request.user.pk).first()
    if export is None:
        raise Problem(404, "No such export.")
    return export


@router.post("/exports", response={202: ExportOut}, summary="Export all my data")
def start_export(request: HttpRequest) -> Status[ExportOut]:
    """Starts building one archive of everything the key's user owns (or answers the one
    already being built). Follow it with GET /exports/{id}."""
    require_scope(request, Scope.EXPORT)
    return Status(202, _out(exports.start_export(user=request.user)))


@router.get("/exports/{export_id}", response=ExportOut, summary="An export")
def get_export(request: HttpRequest, export_id: UUID) -> ExportOut:
    return _out(_export(request, export_id))


@router.get(
    "/exports/{export_id}/archive",
    url_name="export_archive",
    summary="Download an export's archive",
    response={200: str},
    openapi_extra={
        "responses": {
            200: {
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
            }
        }
    },
)
def export_archive(request: HttpRequest, export_id: UUID) -> FileResponse:
    export = _export(request, export_id)
    if export.is_open:
        raise Problem(409, "The export is still being built; try again when it is ready.")
    if not export.is_ready or not export.file:
        raise Problem(404, "This export is no longer available; start a new one.")
    exports.mark_downloaded(export)
    response = FileResponse(
        default_storage.open(str(export.file.name), "rb"),
        as_attachment=True,
        filename=f"lmo-export-{export.created_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
