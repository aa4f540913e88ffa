from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from chat.machine.waits import waiting_card as render_waiting_card
from chat.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Sanitised HTML of an assistant's Markdown (see chat.markdown)."""
    return mark_safe(render_markdown(text))  # noqa: S308  (nh3-sanitised just above)


@register.simple_tag
def waiting_card(waiting: dict[str, Any] | None) -> SafeString:
    """What a waiting run shows besides its prompt (a permission request's choices); ""
    when it has none."""
    if not waiting:
        return mark_safe("")
    return mark_safe(render_waiting_card(waiting))  # noqa: S308  (rendered by a template)
