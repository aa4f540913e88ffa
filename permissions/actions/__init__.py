"""Every write of permissions: command runs, requests and their decisions, grants."""

from permissions.actions.grants import (
    GrantRefused,
    block,
    revoke_everything,
    revoke_grant,
    set_expiry,
)
from permissions.actions.refusals import record_refused
from permissions.actions.requests import (
    Gate,
    decide_request,
    expire_requests,
    gate_command,
    requires_step_up,
    withdraw_requests,
)
from permissions.actions.runs import (
    cancel_open_runs,
    cancel_run,
    claim_for_send,
    expire_runs,
    queue_command,
    reconcile_runs,
    record_ack,
    record_result,
)
from permissions.exceptions import DecisionRefused, StepUpNeeded

__all__ = [
    "DecisionRefused",
    "Gate",
    "GrantRefused",
    "StepUpNeeded",
    "block",
    "cancel_open_runs",
    "cancel_run",
    "claim_for_send",
    "decide_request",
    "expire_requests",
    "expire_runs",
    "gate_command",
    "queue_command",
    "reconcile_runs",
    "record_ack",
    "record_refused",
    "record_result",
    "requires_step_up",
    "revoke_everything",
    "revoke_grant",
    "set_expiry",
    "withdraw_requests",
]
