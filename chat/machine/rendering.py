"""A finished command as the assistant reads it (text) and the chat shows it (blocks).

What a computer returns is outside input: blocks go through ``chat.rich.clean_blocks``
and text is bounded; nothing in a result is ever treated as an instruction here."""

from __future__ import annotations

import json
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse

from chat.pipeline.tools import ToolResult
from chat.rich import clean_blocks
from permissions.models import CommandRun
from permissions.previews import preview_kind

MAX_TEXT = 8000


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "\n… (truncated)"


def _files(run: CommandRun, data: dict[str, Any]) -> ToolResult:
    entries = [e for e in data.get("entries") or [] if isinstance(e, dict)]
    names = [f"{e.get('name')}{'/' if e.get('type') == 'dir' else ''}" for e in entries[:200]]
    path = str(data.get("path") or run.params.get("path") or "")
    text = f"{len(entries)} entries in {path} on {run.agent.name}: " + ", ".join(names)
    if data.get("truncated"):
        text += " (more not shown)"
    block = {
        "kind": "files",
        "title": f"{path} on {run.agent.name}",
        "path": path,
        "entries": entries[:500],
        "truncated": bool(data.get("truncated")) or len(entries) > 500,
    }
    return ToolResult(text=_bounded(text), blocks=clean_blocks([block]))


def _table(run: CommandRun, data: dict[str, Any]) -> ToolResult:
    rows = [[str(k), json.dumps(v) if isinstance(v, dict | list) else v] for k, v in data.items()]
    block = {
        "kind": "table",
        "title": f"{run.target} {run.action} on {run.agent.name}",
        "columns": ["", "Value"],
        "rows": rows[:500],
    }
    text = "; ".join(f"{k}: {v}" for k, v in rows)
    return ToolResult(text=_bounded(text), blocks=clean_blocks([block]))


def _shell(run: CommandRun, data: dict[str, Any]) -> ToolResult:
    out = str(data.get("stdout") or "")
    err = str(data.get("stderr") or "")
    text = f"Exit code {data.get('exit_code')} on {run.agent.name}."
    if out:
        text += f"\n\nOutput:\n```\n{out}\n```"
    if err:
        text += f"\n\nErrors:\n```\n{err}\n```"
    if data.get("truncated"):
        text += "\n(output cut at the agent's limit)"
    return ToolResult(text=_bounded(text))


def _size(ref: dict[str, Any]) -> str:
    return str(filesizeformat(int(ref.get("size") or 0))).replace("\xa0", " ")


def _file_refs(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored files a result names (``permissions.results``)."""
    refs = [i for i in data.get("content") or [] if isinstance(i, dict) and i.get("file")]
    refs += [data[k] for k in ("content_file", "result_file") if isinstance(data.get(k), dict)]
    return refs[:50]


def _attachment(ref: dict[str, Any]) -> dict[str, Any] | None:
    try:
        url = reverse("permissions:run_file", args=[str(ref.get("file"))])
    except NoReverseMatch:
        return None
    mime = str(ref.get("mime_type") or "application/octet-stream")
    return {
        "kind": "attachment",
        "url": url,
        "name": str(ref.get("name") or "file")[:200],
        "size": int(ref.get("size") or 0),
        "mime_type": mime[:100],
        "preview": preview_kind(mime),
    }


def _content_line(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    kind = item.get("type")
    size = _size(item)
    if item.get("error"):
        return f"[{kind}: {item['error']}]"
    if item.get("file"):
        shown = "shown to the user" if preview_kind(str(item.get("mime_type"))) else "a download"
        line = f"[{kind} {item.get('name')} ({item.get('mime_type')}, {size}): {shown}]"
        return line + (f"\n{item['preview']}" if item.get("preview") else "")
    if kind == "resource":
        return f"Resource {item.get('uri')}:\n{item.get('text') or ''}"
    if kind == "resource_link":
        about = f": {item['description']}" if item.get("description") else ""
        return f"[link to {item.get('name')} <{item.get('uri')}>{about}]"
    return ""


def _with_files(run: CommandRun, data: dict[str, Any]) -> ToolResult:
    """A result with content beyond text (MCP images, audio, resources) or with files."""
    lines = [str(data["text"])] if data.get("text") else []
    lines += [line for i in data.get("content") or [] if (line := _content_line(i))]
    if isinstance(data.get("content_file"), dict):
        ref = data["content_file"]
        lines.append(
            f"{data.get('path') or ref.get('name')} ({_size(ref)}"
            f", {ref.get('mime_type')}) is stored for the user to download."
        )
        if data.get("preview"):
            lines.append(f"Its beginning:\n{data['preview']}")
    if isinstance(data.get("result_file"), dict):
        ref = data["result_file"]
        lines.append(
            f"(The whole result, {_size(ref)}, is stored as a "
            "file for the user; above is its beginning.)"
        )
    if data.get("files_left_out"):
        lines.append(f"({data['files_left_out']} more files were left out.)")
    blocks = [b for ref in _file_refs(data) if (b := _attachment(ref))]
    text = "\n\n".join(lines) or f"{run.target}.{run.action} on {run.agent.name} finished."
    return ToolResult(text=_bounded(text), blocks=clean_blocks(blocks))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def tool_result(run: CommandRun) -> ToolResult:
    if run.state == CommandRun.State.DENIED:
        return ToolResult(
            text=(
                f"Permission denied: {run.target}.{run.action} on {run.agent.name} did not run "
                f"({run.error or 'the user did not allow it'}). Tell the user it was not run "
                "and why; do not try to get around it."
            ),
            error=True,
            shown=(
                f"{run.target}.{run.action} on {run.agent.name} was not run. "
                f"{_sentence(run.error or 'You did not allow it')}"
            ),
        )
    if run.state == CommandRun.State.EXPIRED:
        return ToolResult(
            text=(
                f"No permission: {run.target}.{run.action} on {run.agent.name} did not run "
                f"({run.error}). Tell the user they can ask again to get a new request."
            ),
            error=True,
            shown=(
                f"{run.target}.{run.action} on {run.agent.name} was not run. "
                f"{_sentence(run.error or 'Nobody answered in time')} Ask again to get a new request."
            ),
        )
    if run.state != CommandRun.State.SUCCEEDED:
        reason = run.error or f"The command ended as {run.get_state_display().lower()}."
        return ToolResult(
            text=f"{run.target}.{run.action} on {run.agent.name}: {reason}", error=True
        )
    data = run.result
    if run.target == "filesystem" and run.action in ("list", "search") and isinstance(data, dict):
        return _files(run, data)
    if run.target == "shell" and isinstance(data, dict):
        return _shell(run, data)
    if run.target == "system" and isinstance(data, dict):
        return _table(run, data)
    if isinstance(data, dict) and (_file_refs(data) or isinstance(data.get("content"), list)):
        return _with_files(run, data)
    if isinstance(data, dict) and isinstance(data.get("text"), str) and len(data) <= 2:
        return ToolResult(text=_bounded(data["text"]))
    return ToolResult(text=_bounded(json.dumps(data, ensure_ascii=False, default=str)))
