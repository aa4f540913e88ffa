"""Launch applications the local config names (``[apps.launch]``)."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from agent_bridge.local_agent.connectors import Action, ActionError, Connector, obj

NAME = "apps"


def build(config: Any) -> Connector:
    apps: dict[str, list[str]] = dict(config.apps)

    def listing(params: dict[str, Any]) -> dict[str, Any]:
        return {"apps": sorted(apps)}

    def launch(params: dict[str, Any]) -> dict[str, Any]:
        argv = apps.get(params["name"])
        if argv is None:
            raise ActionError(
                "refused", f"{params['name']!r} is not in this computer's list of applications."
            )
        program = shutil.which(argv[0])
        if program is None:
            raise ActionError("not_found", f"{argv[0]} is not installed on this computer.")
        proc = subprocess.Popen(  # detached: the app outlives the command
            [program, *argv[1:]],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return {"launched": params["name"], "pid": proc.pid}

    connector = Connector(NAME, "Applications on this computer.")
    connector.add(Action("list", "The applications that can be launched.", obj({}), listing))
    connector.add(
        Action(
            "launch",
            "Launch an application by name.",
            obj({"name": {"type": "string", "minLength": 1, "maxLength": 100}}, ("name",)),
            launch,
        )
    )
    return connector
