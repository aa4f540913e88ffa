"""A finished command as the assistant reads it (text) and the chat shows it (blocks).

What a computer returns is outside input: blocks go through ``chat.rich.clean_blocks``
and text is bounded; nothing in a result is ever treated as an instruction here."""

from __future__ import annotations

import json
from typing import Any

from chat.pipeline.tools import ToolResult
from chat.rich import clean_blocks
from permissions.models import CommandRun

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


def tool_result(run: CommandRun) -> ToolResult:
    if run.state == CommandRun.State.DENIED:
        return ToolResult(
            text=(
                f"Permission denied: {run.target}.{run.action} on {run.agent.name} did not run "
                f"({run.error or 'the user did not allow it'}). Tell the user it was not run "
                "and why; do not try to get around it."
            ),
            error=True,
        )
    if run.state == CommandRun.State.EXPIRED:
        return ToolResult(
            text=(
                f"No permission: {run.target}.{run.action} on {run.agent.name} did not run "
                f"({run.error}). Tell the user they can ask again to get a new request."
            ),
            error=True,
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
    if isinstance(data, dict) and isinstance(data.get("text"), str) and len(data) <= 2:
        return ToolResult(text=_bounded(data["text"]))
    return ToolResult(text=_bounded(json.dumps(data, ensure_ascii=False, default=str)))
