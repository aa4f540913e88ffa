"""Server-side actions a notification offers (a button in the toast and the centre).

An app registers a handler by name; a notification stores the handler's name and its
parameters. When the user presses the button, the notification is fetched for that user
(another user's is a 404) and the handler runs with the user: it authorizes again, on
its own object, because a notification's parameters say what to act on, not who may."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Style = Literal["primary", "secondary", "danger"]


@dataclass(frozen=True)
class NotificationAction:
    """One button of a notification, as ``notify(actions=[...])`` takes it."""

    key: str
    label: str
    handler: str
    params: dict[str, Any] = field(default_factory=dict)
    style: Style = "secondary"

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "handler": self.handler,
            "params": self.params,
            "style": self.style,
        }


class ActionRefused(Exception):
    """The handler will not act (not allowed, or nothing left to do); says why."""


Handler = Callable[[Any, dict[str, Any]], str]

_HANDLERS: dict[str, Handler] = {}


def register_handler(name: str, fn: Handler) -> None:
    """Register ``fn(user, params) -> outcome text`` under ``name`` (from an
    ``AppConfig.ready``); it raises ActionRefused when ``user`` may not act on what
    ``params`` name."""
    _HANDLERS[name] = fn


def get_handler(name: str) -> Handler | None:
    return _HANDLERS.get(name)
