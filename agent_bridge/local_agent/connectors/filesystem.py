"""Files inside the configured roots only: ``..``, absolute paths outside the roots and
symlinks that lead out of them are refused."""

from __future__ import annotations

import base64
import fnmatch
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent_bridge.local_agent.connectors import Action, ActionError, Connector, obj

NAME = "filesystem"
LIST_LIMIT = 500
SEARCH_SCAN_LIMIT = 20_000
CONTENT_SEARCH_MAX_BYTES = 1024 * 1024
PATH = {"type": "string", "minLength": 1, "maxLength": 4096, "description": "A path, ~ for home."}


class Files:
    def __init__(self, roots: list[Path], read_max_bytes: int) -> None:
        self.roots = [Path(os.path.realpath(r)) for r in roots]
        self.read_max_bytes = read_max_bytes

    def resolve(self, raw: str) -> Path:
        if "\x00" in raw:
            raise ActionError("refused", "Paths may not contain NUL characters.")
        if not self.roots:
            raise ActionError("refused", "No folders are allowed on this computer.")
        path = Path(raw).expanduser()
        if ".." in path.parts:
            raise ActionError("refused", f"{raw}: paths may not contain '..'.")
        if not path.is_absolute():
            path = self.roots[0] / path
        real = Path(os.path.realpath(path))
        if not any(real == root or real.is_relative_to(root) for root in self.roots):
            allowed = ", ".join(str(r) for r in self.roots)
            raise ActionError(
                "refused", f"{raw} is outside the folders this computer allows ({allowed})."
            )
        return real

    @staticmethod
    def _entry(path: Path, name: str | None = None) -> dict[str, Any]:
        info = path.lstat()
        kind = (
            "link"
            if stat.S_ISLNK(info.st_mode)
            else "dir"
            if stat.S_ISDIR(info.st_mode)
            else "file"
            if stat.S_ISREG(info.st_mode)
            else "other"
        )
        return {
            "name": name or path.name,
            "type": kind,
            "size": info.st_size if kind == "file" else None,
            "modified": datetime.fromtimestamp(info.st_mtime, UTC).isoformat(timespec="seconds"),
        }

    def list(self, params: dict[str, Any]) -> dict[str, Any]:
        folder = self.resolve(params.get("path") or "~")
        if not folder.is_dir():
            raise ActionError("not_found", f"{params.get('path')} is not a folder.")
        hidden = bool(params.get("hidden", False))
        limit = int(params.get("limit", LIST_LIMIT))
        entries = []
        names = sorted(os.listdir(folder), key=str.lower)
        shown = [n for n in names if hidden or not n.startswith(".")]
        for name in shown[:limit]:
            try:
                entries.append(self._entry(folder / name))
            except OSError:
                continue
        return {"path": str(folder), "entries": entries, "truncated": len(shown) > limit}

    def read(self, params: dict[str, Any]) -> dict[str, Any]:
        path = self.resolve(params["path"])
        if not path.is_file():
            raise ActionError("not_found", f"{params['path']} is not a file.")
        cap = min(int(params.get("max_bytes", self.read_max_bytes)), self.read_max_bytes)
        size = path.stat().st_size
        with path.open("rb") as handle:
            data = handle.read(cap)
        binary = b"\x00" in data[:8192]
        return {
            "path": str(path),
            "size": size,
            "truncated": size > cap,
            "encoding": "base64" if binary else "utf-8",
            "content": base64.b64encode(data).decode()
            if binary
            else data.decode("utf-8", "replace"),
        }

    def search(self, params: dict[str, Any]) -> dict[str, Any]:
        base = self.resolve(params.get("path") or "~")
        pattern = (params.get("name") or "").lower()
        if pattern and not any(ch in pattern for ch in "*?["):
            pattern = f"*{pattern}*"
        needle = (params.get("content") or "").lower().encode()
        if not pattern and not needle:
            raise ActionError("invalid_params", "Give a name pattern, a text to find, or both.")
        limit = int(params.get("limit", 100))
        found: list[dict[str, Any]] = []
        scanned = 0
        for folder, dirs, files in os.walk(base, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                scanned += 1
                if scanned > SEARCH_SCAN_LIMIT or len(found) >= limit:
                    return {"path": str(base), "entries": found, "truncated": True}
                path = Path(folder) / name
                if pattern and not fnmatch.fnmatch(name.lower(), pattern):
                    continue
                if needle and not self._contains(path, needle):
                    continue
                try:
                    found.append(self._entry(path, name=str(path.relative_to(base))))
                except OSError:
                    continue
        return {"path": str(base), "entries": found, "truncated": False}

    @staticmethod
    def _contains(path: Path, needle: bytes) -> bool:
        try:
            if path.is_symlink() or path.stat().st_size > CONTENT_SEARCH_MAX_BYTES:
                return False
            return needle in path.read_bytes().lower()
        except OSError:
            return False

    def write(self, params: dict[str, Any]) -> dict[str, Any]:
        raw = params["path"]
        target = Path(raw).expanduser()
        parent = self.resolve(str(target.parent) if target.parent != Path() else "~")
        path = parent / target.name
        self.resolve(str(path))  # the final name must not lead out either
        content = params["content"].encode()
        if len(content) > self.read_max_bytes:
            raise ActionError("refused", f"Writes are limited to {self.read_max_bytes} bytes.")
        if path.is_symlink():
            raise ActionError("refused", f"{raw} is a link; it is not written through.")
        mode = params.get("mode", "create")
        flags = {"create": "xb", "overwrite": "wb", "append": "ab"}[mode]
        try:
            with path.open(flags) as handle:
                handle.write(content)
        except FileExistsError:
            raise ActionError("exists", f"{raw} exists already (use mode overwrite).") from None
        return {"path": str(path), "written": len(content), "mode": mode}


def build(config: Any) -> Connector:
    files = Files(config.roots, config.read_max_bytes)
    connector = Connector(NAME, "Files and folders on this computer, inside its allowed folders.")
    connector.add(
        Action(
            "list",
            "List the files and folders in a folder.",
            obj(
                {
                    "path": PATH,
                    "hidden": {"type": "boolean", "description": "Include hidden entries."},
                    "limit": {"type": "integer", "minimum": 1, "maximum": LIST_LIMIT},
                },
                ("path",),
            ),
            files.list,
        )
    )
    connector.add(
        Action(
            "read",
            "Read a file (text, or base64 for binary), up to a size cap.",
            obj({"path": PATH, "max_bytes": {"type": "integer", "minimum": 1}}, ("path",)),
            files.read,
        )
    )
    connector.add(
        Action(
            "search",
            "Find files under a folder by name pattern and/or by text they contain.",
            obj(
                {
                    "path": PATH,
                    "name": {"type": "string", "maxLength": 200},
                    "content": {"type": "string", "maxLength": 200},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 500},
                },
                ("path",),
            ),
            files.search,
        )
    )
    connector.add(
        Action(
            "write",
            "Create a file (or overwrite/append with mode).",
            obj(
                {
                    "path": PATH,
                    "content": {"type": "string"},
                    "mode": {"enum": ["create", "overwrite", "append"]},
                },
                ("path", "content"),
            ),
            files.write,
            writes=True,
        )
    )
    return connector
