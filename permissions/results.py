"""What of a computer's result stays in its row, and what goes to files.

A result is outside input. Binary content (an MCP tool's images, audio and blob
resources, a binary file read), long text (an embedded resource, a file read over
INLINE_TEXT) and whatever still leaves the row over ROW_LIMIT are stored as ``RunFile``
rows with their bytes in storage. The result keeps a reference in their place
(``{"file": id, "name", "mime_type", "size", "sha256"}``), so the sealed audit record
still proves what was received, and a preview where there is text."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import mimetypes
import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from django.core.files.base import ContentFile

from permissions.models import CommandRun, RunFile

ROW_LIMIT = 256 * 1024  # bytes of JSON a result may keep in its row
INLINE_TEXT = 64 * 1024  # text longer than this moves to a file
PREVIEW = 8000  # characters of a moved text kept as its preview
MAX_FILES = 50  # files one result may carry; the rest are noted as left out
_MIME = re.compile(r"^[A-Za-z0-9][\w.+-]{0,60}/[\w.+-]{1,60}$")
_UNSAFE_NAME = re.compile(r"[^\w.-]+")
_BINARY_KINDS = ("image", "audio", "resource")


def needs_files(data: Any, size: int) -> bool:
    """Whether ``data`` (a result of ``size`` bytes) has anything to move into files."""
    if size > ROW_LIMIT:
        return True
    if isinstance(data, dict):
        content = data.get("content")
        if isinstance(content, list) and any(isinstance(i, dict) for i in content):
            return True
        if data.get("encoding") == "base64":
            return True
    return False


def mime_type(value: Any, name: str = "") -> str:
    if isinstance(value, str) and _MIME.match(value):
        return value.lower()
    guessed = mimetypes.guess_type(name)[0] if name else None
    return guessed or "application/octet-stream"


def _name(given: Any, fallback: str, mime: str) -> str:
    text = str(given or "")
    if "://" in text or text.startswith("/"):
        text = PurePosixPath(urlsplit(text).path).name
    text = _UNSAFE_NAME.sub("_", text).strip("._")[:100]
    if not text:
        text = fallback + (mimetypes.guess_extension(mime) or "")
    return text


class _Files:
    """Files of one result as they are made (at most MAX_FILES)."""

    def __init__(self, run: CommandRun) -> None:
        self.run = run
        self.made = 0
        self.left_out = 0

    def add(self, content: bytes, *, name: str, mime: str) -> dict[str, Any] | None:
        if self.made >= MAX_FILES:
            self.left_out += 1
            return None
        self.made += 1
        stored = RunFile(
            run=self.run,
            name=name[:200],
            mime_type=mime[:100],
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        stored.file.save(name, ContentFile(content), save=False)
        stored.save()
        return {
            "file": str(stored.pk),
            "name": stored.name,
            "mime_type": stored.mime_type,
            "size": stored.size,
            "sha256": stored.sha256,
        }


def _decoded(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _content_item(item: Any, index: int, files: _Files) -> Any:
    if not isinstance(item, dict):
        return item
    kind = str(item.get("type") or "")
    if kind not in _BINARY_KINDS:
        return item
    kept = {k: v for k, v in item.items() if k not in ("data", "text")}
    mime = mime_type(item.get("mime_type"), str(item.get("uri") or ""))
    name = _name(item.get("uri") or item.get("name"), f"{kind or 'item'}-{index + 1}", mime)
    if "data" in item:
        content = _decoded(item["data"])
        if content is None:
            return {**kept, "error": "The tool sent content that is not valid base64."}
    elif isinstance(item.get("text"), str) and len(item["text"]) > INLINE_TEXT:
        content = item["text"].encode()
        kept["preview"] = item["text"][:PREVIEW]
    else:
        return item
    ref = files.add(content, name=name, mime=mime)
    return {**kept, **ref} if ref else {**kept, "error": "Left out: too many files."}


def _file_read(data: dict[str, Any], files: _Files) -> dict[str, Any]:
    """A filesystem ``read`` result: binary content, or long text, becomes the file."""
    content = data.get("content")
    binary = data.get("encoding") == "base64"
    if not isinstance(content, str) or (not binary and len(content) <= INLINE_TEXT):
        return data
    raw = _decoded(content) if binary else content.encode()
    if raw is None:
        return {**data, "content": "", "error": "The file's content is not valid base64."}
    name = _name(data.get("path"), "file", "application/octet-stream")
    mime = mime_type(None, name)
    if not binary and mime == "application/octet-stream":
        mime = "text/plain"
    kept = {k: v for k, v in data.items() if k != "content"}
    if not binary:
        kept["preview"] = content[:PREVIEW]
    ref = files.add(raw, name=name, mime=mime)
    return {**kept, "content_file": ref} if ref else data


def keep_result(run: CommandRun, data: Any, size: int) -> Any:
    """``data`` as ``run``'s row keeps it, its files stored (inside the caller's
    transaction, before the run is sealed)."""
    if not needs_files(data, size):
        return data
    files = _Files(run)
    if isinstance(data, dict):
        if isinstance(data.get("content"), list):
            data = {
                **data,
                "content": [_content_item(i, n, files) for n, i in enumerate(data["content"])],
            }
        elif run.target == "filesystem" and run.action == "read":
            data = _file_read(data, files)
    text = json.dumps(data, ensure_ascii=False, default=str)
    if len(text.encode()) > ROW_LIMIT:
        ref = files.add(text.encode(), name="result.json", mime="application/json")
        preview = data.get("text") if isinstance(data, dict) else None
        data = {
            "text": (preview if isinstance(preview, str) else text)[:PREVIEW],
            "truncated": True,
            "result_file": ref,
        }
    if files.left_out and isinstance(data, dict):
        data = {**data, "files_left_out": files.left_out}
    return data
