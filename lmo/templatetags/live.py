"""Tags of partials that are also pushed over the page socket (lmo.live.push)."""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode

from lmo.live.push import FOR_SOCKET

register = template.Library()


@register.simple_tag(takes_context=True)
def csrf_field(context: template.Context) -> str:
    """A form's CSRF field, as ``{% csrf_token %}`` renders it for a request. A partial
    rendered for the socket has no request and gets none: its forms post through htmx,
    which sends the page's token (``hx-headers`` on ``<body>`` in base.html)."""
    if context.get(FOR_SOCKET):
        return ""
    return CsrfTokenNode().render(context)  # safe HTML (format_html)
