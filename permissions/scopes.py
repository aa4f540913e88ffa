"""What a grant's scope limits, per connector, and whether a scope covers a command.

- files: a path prefix, compared component by component after normalising (``..``, ``.``,
  doubled and trailing slashes, Windows separators), so ``~/Downloads`` covers
  ``~/Downloads/a/../b.pdf`` but neither ``~/Downloads2`` nor ``~/Downloads/../.ssh``;
- shell: a command prefix, word by word (``git status`` covers ``git status -s``, not
  ``git statusx``);
- browser: a URL prefix; apps: the exact application name;
- MCP tools and everything else: no argument scope (the grant's action is the exact tool).
"""

from __future__ import annotations

import posixpath
import shlex
from typing import Any

_SUBJECT_PARAM = {
    "filesystem": "path",
    "shell": "command",
    "browser": "url",
    "apps": "name",
}


def subject_of(target: str, params: dict[str, Any]) -> str:
    """The argument of this command that a scope limits ("" if none)."""
    name = _SUBJECT_PARAM.get(target)
    if name is None:
        return ""
    value = params.get(name)
    if not isinstance(value, str):
        return ""
    return normalise(target, value)


def normalise(target: str, value: str) -> str:
    value = value.strip()
    if target == "filesystem":
        return normalise_path(value)
    if target == "shell":
        return " ".join(_words(value))
    return value


def normalise_path(path: str) -> str:
    path = path.replace("\\", "/")
    if not path:
        return ""
    normal = posixpath.normpath(path)
    return "/" if normal == "//" else normal


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:  # unbalanced quotes: compare the raw words
        return command.split()


def covers(target: str, scope: str, subject: str) -> bool:
    """Does ``scope`` (as stored on a grant) cover this command's ``subject``?"""
    if not scope:
        return True
    if not subject:
        return False  # a scoped grant never matches a command without the argument
    if target == "filesystem":
        scope_parts = _parts(normalise_path(scope))
        subject_parts = _parts(subject)
        if ".." in subject_parts:
            return False  # a relative path climbing out of its root: never "inside"
        return subject_parts[: len(scope_parts)] == scope_parts
    if target == "shell":
        scope_words = _words(scope)
        return _words(subject)[: len(scope_words)] == scope_words
    if target == "apps":
        return scope.strip().casefold() == subject.casefold()
    return subject.startswith(scope.strip())


def _parts(path: str) -> list[str]:
    if path == "/":
        return [""]
    return path.rstrip("/").split("/")


def scope_problem(target: str, scope: str, subject: str) -> str:
    """Why ``scope`` cannot be used for a grant made from a request for ``subject``
    ("" when it can): it must cover the command that was asked for."""
    if not scope:
        return ""
    if len(scope) > 1000:
        return "The scope is too long (1,000 characters at most)."
    if not covers(target, normalise(target, scope), subject):
        return f"The scope must include what was asked for ({subject})."
    return ""
