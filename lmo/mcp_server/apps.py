from __future__ import annotations

from django.apps import AppConfig


class McpServerConfig(AppConfig):
    """LMO as an MCP server (``/mcp``) and the OAuth 2.1 authorization server that lets an
    MCP client connect with nothing but the URL: a front door beside the API."""

    name = "lmo.mcp_server"
    label = "mcp_server"
    verbose_name = "MCP server"

    def ready(self) -> None:
        from lmo.crypto import register_encrypted_field

        register_encrypted_field("mcp_server.OAuthClient", "secret")
