from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from chat.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Sanitised HTML of an assistant's Markdown (see chat.markdown)."""
    return mark_safe(render_markdown(text))  # noqa: S308  (nh3-sanitised just above)
