"""Why a command does not run, or a decision cannot be taken: every caller (the chat's
tools, the API, the MCP endpoint) shows the message as is."""

from __future__ import annotations

from typing import Any


class CommandRefused(Exception):
    """The command cannot be queued (shown to the user and the assistant as is)."""


class PermissionNeeded(CommandRefused):
    """No grant allows it (or the one given was revoked or used up meanwhile)."""


class PermissionRefused(CommandRefused):
    """A block rule of the user matches it (``grant``)."""

    def __init__(self, message: str, grant: Any) -> None:
        super().__init__(message)
        self.grant = grant


class DecisionRefused(Exception):
    """The decision cannot be taken as given (bad scope, step-up needed...); says why."""


class StepUpNeeded(DecisionRefused):
    """Allowing this "Always" needs a fresh authenticator code."""
