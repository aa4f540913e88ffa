"""Shell commands on the local allow-list only: no shell (argv is run directly, so no
interpolation, pipes or globbing), a timeout and an output cap."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
from typing import Any

from agent_bridge.local_agent.connectors import Action, ActionError, Connector, obj

NAME = "shell"


class Shell:
    def __init__(self, allow: list[str], timeout: float, max_output: int) -> None:
        self.allow = [shlex.split(entry) for entry in allow if entry.strip()]
        self.timeout = timeout
        self.max_output = max_output

    def argv(self, command: str) -> list[str]:
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise ActionError("invalid_params", f"Cannot parse the command: {exc}") from None
        if not argv or any("\x00" in a for a in argv):
            raise ActionError("invalid_params", "Empty or invalid command.")
        if not any(argv[: len(entry)] == entry for entry in self.allow):
            allowed = ", ".join(shlex.join(e) for e in self.allow) or "nothing"
            raise ActionError(
                "refused",
                f"{argv[0]!r} is not on this computer's allow-list (allowed: {allowed}).",
            )
        return argv

    async def run(self, params: dict[str, Any]) -> dict[str, Any]:
        argv = self.argv(params["command"])
        program = shutil.which(argv[0])
        if program is None:
            raise ActionError("not_found", f"{argv[0]} is not installed on this computer.")
        cwd = _workdir(params.get("cwd"))
        proc = await asyncio.create_subprocess_exec(
            program,
            *argv[1:],
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), self.timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise ActionError("timeout", f"Stopped after {self.timeout:g} s.") from None
        truncated = len(out) > self.max_output or len(err) > self.max_output
        return {
            "command": shlex.join(argv),
            "exit_code": proc.returncode,
            "stdout": out[: self.max_output].decode("utf-8", "replace"),
            "stderr": err[: self.max_output].decode("utf-8", "replace"),
            "truncated": truncated,
        }


def _workdir(raw: str | None) -> str | None:
    path = os.path.expanduser(raw or "~")
    return path if os.path.isdir(path) else None


def build(config: Any) -> Connector:
    shell = Shell(config.shell_allow, config.shell_timeout, config.max_output_bytes)
    connector = Connector(NAME, "Run allow-listed commands on this computer (no shell).")
    connector.add(
        Action(
            "run",
            "Run one command from the computer's allow-list, e.g. 'df -h'.",
            obj(
                {
                    "command": {"type": "string", "minLength": 1, "maxLength": 2000},
                    "cwd": {"type": "string", "maxLength": 4096},
                },
                ("command",),
            ),
            shell.run,
            writes=True,
        )
    )
    return connector
