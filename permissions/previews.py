"""Which stored result files a page may show in place (never SVG or HTML: those can
carry script); everything else is only ever a download."""

from __future__ import annotations

from typing import Literal

IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"})
AUDIO = frozenset({"audio/mpeg", "audio/ogg", "audio/wav", "audio/x-wav", "audio/webm"})


def preview_kind(mime_type: str) -> Literal["image", "audio", ""]:
    if mime_type in IMAGES:
        return "image"
    if mime_type in AUDIO:
        return "audio"
    return ""
