"""Pairing from the agent's side: ask the server for a code, show it, poll for the token."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from agent_bridge.local_agent.config import ConfigError


class PairingFailed(Exception):
    pass


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 (http/https checked by websocket_url)
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            payload = json.loads(exc.read() or b"{}")
        except ValueError:
            payload = {"error": f"HTTP {exc.code}"}
        return exc.code, payload
    except (urllib.error.URLError, OSError) as exc:
        raise PairingFailed(f"Cannot reach {url}: {exc}") from None


def pair(
    server: str,
    *,
    name: str,
    platform: str,
    show: Callable[[str, str, int], None],
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Run the device-code flow; returns {"token", "agent_id", "name"} once approved."""
    base = server.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ConfigError("The server address must start with https:// (or http:// locally).")
    status, started = _post(f"{base}/apps/pair/start/", {"name": name, "platform": platform})
    if status != 200:
        raise PairingFailed(started.get("error") or f"The server answered HTTP {status}.")
    show(started["user_code"], started["verification_uri"], int(started["expires_in"]))
    interval = float(started.get("interval", 2))
    deadline = time.monotonic() + int(started["expires_in"])
    while time.monotonic() < deadline:
        sleep(interval)
        status, polled = _post(f"{base}/apps/pair/poll/", {"device_code": started["device_code"]})
        state = polled.get("status")
        if state == "approved":
            return polled
        if state == "slow_down":
            interval += 1
        elif state != "pending":
            raise PairingFailed(polled.get("error") or f"Pairing failed (HTTP {status}).")
    raise PairingFailed("The code expired before it was entered. Run pair again.")
