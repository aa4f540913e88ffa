"""System information: OS, CPU, memory, disk, uptime; and a no-op ping."""

from __future__ import annotations

import os
import platform
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from agent_bridge.local_agent.connectors import Action, Connector, obj

NAME = "system"


def info(params: dict[str, Any]) -> dict[str, Any]:
    memory = psutil.virtual_memory()
    disk = psutil.disk_usage(str(Path.home().anchor or "/"))
    boot = psutil.boot_time()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "os": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
        "hostname": socket.gethostname(),
        "cpus": psutil.cpu_count(),
        "cpu_percent": psutil.cpu_percent(interval=0.1),
        "load_average": [round(x, 2) for x in load] if load else None,
        "memory_total_mb": memory.total // 2**20,
        "memory_available_mb": memory.available // 2**20,
        "memory_percent": memory.percent,
        "disk_total_gb": round(disk.total / 2**30, 1),
        "disk_free_gb": round(disk.free / 2**30, 1),
        "disk_percent": disk.percent,
        "uptime_seconds": int(time.time() - boot),
        "booted_at": datetime.fromtimestamp(boot, UTC).isoformat(timespec="seconds"),
    }


async def ping(params: dict[str, Any]) -> dict[str, Any]:
    return {"pong": True}


def build(config: Any) -> Connector:
    connector = Connector(NAME, "Facts about this computer.")
    connector.add(Action("info", "OS, CPU, memory, disk and uptime.", obj({}), info))
    connector.add(Action("ping", "Answer at once (a liveness check).", obj({}), ping))
    return connector
