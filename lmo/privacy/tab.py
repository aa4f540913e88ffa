"""Settings -> Profile: the account, "Export my data" and "Delete my account"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lmo.privacy.deletion import deletion_blockers
from lmo.privacy.forms import DeleteAccountForm
from lmo.privacy.models import DataExport

SHOWN_EXPORTS = 5


def profile_context(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    return {
        "exports": list(DataExport.objects.filter(owner=user)[:SHOWN_EXPORTS]),
        "export_hours": settings.LMO_EXPORT_HOURS,
        "deletion_blockers": deletion_blockers(user),
        "delete_form": DeleteAccountForm(user=user),
    }
