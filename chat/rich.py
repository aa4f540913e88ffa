"""Rich blocks that tools return (charts, tables, file lists), validated before they are
stored and rendered: a tool's output is outside input like any other."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

log = logging.getLogger(__name__)
MAX_ROWS = 500
Cell = str | int | float | bool | None


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(default="", max_length=200)


class ChartBlock(_Block):
    kind: Literal["chart"]
    figure: dict[str, Any]  # Plotly figure JSON (data + layout), built server-side


class TableBlock(_Block):
    kind: Literal["table"]
    columns: list[str] = Field(max_length=50)
    rows: list[list[Cell]] = Field(max_length=MAX_ROWS)


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(max_length=1000)
    type: Literal["file", "dir", "link", "other"] = "file"
    size: int | None = None
    modified: str | None = None


class FilesBlock(_Block):
    kind: Literal["files"]
    path: str = Field(default="", max_length=4096)
    entries: list[FileEntry] = Field(max_length=MAX_ROWS)
    truncated: bool = False


class AttachmentBlock(_Block):
    """A file a command's result carried: shown as an image or a player when it is one
    of the previewable kinds, always as a download. ``url`` is one of LMO's own."""

    kind: Literal["attachment"]
    url: str = Field(max_length=200, pattern=r"^/[A-Za-z0-9/_-]+/$")
    name: str = Field(max_length=200)
    size: int = Field(ge=0)
    mime_type: str = Field(max_length=100)
    preview: Literal["image", "audio", ""] = ""


_adapter: TypeAdapter[Any] = TypeAdapter(
    list[
        Annotated[
            ChartBlock | TableBlock | FilesBlock | AttachmentBlock, Field(discriminator="kind")
        ]
    ]
)


def clean_blocks(blocks: Any) -> list[dict[str, Any]]:
    """The valid blocks as plain JSON; an invalid list is dropped (and logged), never
    rendered."""
    if not blocks:
        return []
    try:
        parsed = _adapter.validate_python(blocks)
    except ValidationError as exc:
        log.warning("dropping invalid rich blocks from a tool: %s", exc.errors()[:3])
        return []
    return [b.model_dump(mode="json") for b in parsed]
