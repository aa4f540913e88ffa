"""A stdio MCP server built with the official SDK (``MCPServer``) whose tools return what
real servers return beyond text: an image (of the size asked for), audio, embedded text
and blob resources and a resource link; with the read-only and destructive hints set,
and one tool with none. ``python tests/agent_bridge/mcp_media_server.py``."""

from __future__ import annotations

import base64
import hashlib

from mcp.server.mcpserver import MCPServer
from mcp.types import (
    AudioContent,
    BlobResourceContents,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
    ToolAnnotations,
)

PNG_HEAD = bytes.fromhex("89504e470d0a1a0a")
server = MCPServer("media")


def image_bytes(size: int) -> bytes:
    """``size`` bytes that start like a PNG (the same bytes for the same size)."""
    body = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(size // 32 + 1))
    return (PNG_HEAD + body)[:size]


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def snapshot(size: int = 1_600_000) -> list[ImageContent | TextContent]:
    """Take a screenshot (an image of ``size`` bytes)."""
    data = base64.b64encode(image_bytes(size)).decode()
    return [
        TextContent(type="text", text=f"A screenshot of {size} bytes."),
        ImageContent(type="image", data=data, mime_type="image/png"),
    ]


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def clip() -> list[AudioContent]:
    """A short sound."""
    return [
        AudioContent(
            type="audio", data=base64.b64encode(b"RIFF0000WAVE").decode(), mime_type="audio/wav"
        )
    ]


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def documents() -> list[TextContent | EmbeddedResource | ResourceLink]:
    """A note, a report and a link to a folder."""
    return [
        TextContent(type="text", text="Two documents and a link."),
        EmbeddedResource(
            type="resource",
            resource=TextResourceContents(
                uri="file:///notes/todo.md", mime_type="text/markdown", text="# To do\n- milk"
            ),
        ),
        EmbeddedResource(
            type="resource",
            resource=BlobResourceContents(
                uri="file:///reports/q3.pdf",
                mime_type="application/pdf",
                blob=base64.b64encode(b"%PDF-1.7 q3").decode(),
            ),
        ),
        ResourceLink(
            type="resource_link", uri="file:///reports/", name="reports", description="All reports"
        ),
    ]


@server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True))
def erase(name: str) -> str:
    """Delete a document."""
    return f"{name} erased"


@server.tool()
def touch(name: str) -> str:
    """Mark a document as seen (no hints given)."""
    return f"{name} touched"


if __name__ == "__main__":
    server.run("stdio")
