from __future__ import annotations

from django import template

from lmo.privacy.exports import download_url as _download_url
from lmo.privacy.models import DataExport

register = template.Library()


@register.filter
def download_url(export: DataExport) -> str:
    """The signed, expiring link of a ready export (for its owner only)."""
    return _download_url(export)
