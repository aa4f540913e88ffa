"""Markdown for assistant answers: CommonMark + tables, raw HTML escaped, then sanitised.

The model's output is untrusted input: markdown-it renders with ``html=False`` (any tag
in the text becomes text) and nh3 then keeps only a known set of tags and attributes,
so script in a message stays inert whatever the renderer does."""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "th": {"style"}, "td": {"style"}}


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def render_markdown(text: str) -> str:
    """Safe HTML for ``text``."""
    html = _parser().render(text or "")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
