"""Every write of permissions: requests and their decisions, grants."""

from permissions.actions.grants import (
    GrantRefused,
    block,
    revoke_everything,
    revoke_grant,
    set_expiry,
)
from permissions.actions.requests import (
    DecisionRefused,
    Gate,
    StepUpNeeded,
    decide_request,
    expire_requests,
    gate_command,
    requires_step_up,
)

__all__ = [
    "DecisionRefused",
    "Gate",
    "GrantRefused",
    "StepUpNeeded",
    "block",
    "decide_request",
    "expire_requests",
    "gate_command",
    "requires_step_up",
    "revoke_everything",
    "revoke_grant",
    "set_expiry",
]
