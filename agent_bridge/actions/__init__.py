"""Every write of the agent bridge (tokens, pairing, presence, command runs)."""

from agent_bridge.actions.agents import rename_agent, revoke_agent
from agent_bridge.actions.dispatch import dispatch_command
from agent_bridge.actions.pairing import approve_pairing, poll_pairing, start_pairing
from agent_bridge.actions.presence import mark_connected, mark_disconnected, touch_agent
from agent_bridge.actions.runs import (
    cancel_run,
    expire_runs,
    queue_command,
    reconcile_runs,
    record_ack,
    record_result,
)
from agent_bridge.actions.tokens import authenticate_token, create_token, revoke_token

__all__ = [
    "approve_pairing",
    "authenticate_token",
    "cancel_run",
    "create_token",
    "dispatch_command",
    "expire_runs",
    "mark_connected",
    "mark_disconnected",
    "poll_pairing",
    "queue_command",
    "reconcile_runs",
    "record_ack",
    "record_result",
    "rename_agent",
    "revoke_agent",
    "revoke_token",
    "start_pairing",
    "touch_agent",
]
