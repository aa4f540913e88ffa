"""Every write of the agent bridge (computers, tokens, pairing, presence). A command's
writes are permissions.actions."""

from agent_bridge.actions.agents import rename_agent, retry_connector, revoke_agent
from agent_bridge.actions.pairing import approve_pairing, poll_pairing, start_pairing
from agent_bridge.actions.presence import mark_connected, mark_disconnected, touch_agent
from agent_bridge.actions.tokens import authenticate_token, create_token, revoke_token

__all__ = [
    "approve_pairing",
    "authenticate_token",
    "create_token",
    "mark_connected",
    "mark_disconnected",
    "poll_pairing",
    "rename_agent",
    "retry_connector",
    "revoke_agent",
    "revoke_token",
    "start_pairing",
    "touch_agent",
]
