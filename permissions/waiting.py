"""Waiting for a command: the one port back into whoever waits.

A command may wait twice: for the user's decision on its permission request, then for the
computer's result. Each wait is a ``Wait`` that the caller's driver (permissions.commands)
turns into its own way of waiting:

- the chat's graph parks at LangGraph's ``interrupt()`` and is resumed by the listener the
  chat registers with ``on_settled`` (in its ``AppConfig.ready``);
- a plain awaiting caller (the API, the MCP endpoint) awaits ``until_settled(key)``.

When what is awaited happens, permissions calls ``settle_on_commit``: after commit every
listener is called and the key's channel-layer group hears it, in whichever process it
happened. ``settled_value`` tells whether it already happened (a fast computer can answer
before its caller has recorded that it waits)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from lmo.live.sender import group_send_sync
from permissions.models import CommandRun, PermissionRequest

log = logging.getLogger(__name__)
POLL_SECONDS = 5.0  # an awaiting caller also re-reads the row this often (a lost event)


@dataclass(frozen=True)
class Wait:
    """One thing a command waits for. ``key`` names it ("perm:<request>", "run:<run>"),
    ``prompt`` is what to show meanwhile, ``details`` the ids a caller may show or link."""

    kind: Literal["permission", "result"]
    key: str
    prompt: str
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Settled:
    """``key`` happened with ``value``; ``conversation_id`` is the chat's, when it asked."""

    key: str
    value: dict[str, Any]
    conversation_id: int | None = None


class CommandSettled(TypedDict):
    """The channel-layer event an awaiting caller receives (group ``wait_group(key)``)."""

    type: Literal["command.settled"]
    key: str
    value: dict[str, Any]


Listener = Callable[[Settled], None]
_listeners: list[Listener] = []


def on_settled(listener: Listener) -> None:
    """Call ``listener`` after commit whenever a wait settles (from ``AppConfig.ready``)."""
    if listener not in _listeners:
        _listeners.append(listener)


def wait_group(key: str) -> str:
    return "cmdwait." + key.replace(":", ".")


def request_outcome(request: PermissionRequest) -> dict[str, Any]:
    return {"request": str(request.pk), "decision": request.status}


def run_outcome(run: CommandRun) -> dict[str, Any]:
    return {"run": str(run.pk), "state": run.state}


def settle_on_commit(key: str, value: dict[str, Any], *, conversation_id: int | None) -> None:
    settled = Settled(key=key, value=value, conversation_id=conversation_id)
    transaction.on_commit(lambda: _announce(settled))


def _announce(settled: Settled) -> None:
    for listener in list(_listeners):
        try:
            listener(settled)
        except Exception:  # one broken waiter must not keep the others waiting
            log.exception("a listener failed on %s", settled.key)
    event: CommandSettled = {"type": "command.settled", "key": settled.key, "value": settled.value}
    group_send_sync(wait_group(settled.key), dict(event))


def settled_value(key: str) -> dict[str, Any] | None:
    """What ``key`` settled with, or None while it is still awaited (or unknown)."""
    kind, _, ident = key.partition(":")
    try:
        pk = uuid.UUID(ident)
    except ValueError:
        return None
    if kind == "perm":
        request = (
            PermissionRequest.objects.filter(pk=pk)
            .exclude(status=PermissionRequest.Status.PENDING)
            .first()
        )
        return None if request is None else request_outcome(request)
    if kind == "run":
        run = CommandRun.objects.filter(pk=pk).exclude(state__in=CommandRun.OPEN_STATES).first()
        return None if run is None else run_outcome(run)
    return None


_leaving: set[asyncio.Future[Any]] = set()


async def until_settled(key: str, *, poll: float = POLL_SECONDS) -> dict[str, Any]:
    """Return what ``key`` settles with, as soon as it does (bound it with
    ``asyncio.timeout``). Listens on the channel layer and re-reads the row every ``poll``
    seconds, so neither a lost event nor a process without a layer waits forever."""
    layer = get_channel_layer()
    channel = await layer.new_channel() if layer is not None else None
    group = wait_group(key)
    if layer is not None and channel is not None:
        await layer.group_add(group, channel)
    try:
        while True:
            value = await database_sync_to_async(settled_value)(key)
            if value is not None:
                return value
            if layer is None or channel is None:
                await asyncio.sleep(poll)
                continue
            try:
                event = await asyncio.wait_for(layer.receive(channel), poll)
            except TimeoutError:
                continue
            if event.get("type") == "command.settled" and event.get("key") == key:
                return dict(event["value"])
    finally:
        if layer is not None and channel is not None:
            # Left in the background: the caller has its answer (and a group entry expires
            # on its own if this never runs).
            leaving = asyncio.ensure_future(layer.group_discard(group, channel))
            _leaving.add(leaving)
            leaving.add_done_callback(_leaving.discard)
