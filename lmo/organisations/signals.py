from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save


def _personal_organisation(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    # Every account, however made (sign-up, the admin, createsuperuser), has one: a
    # one-person install needs nothing else. Fixture loading (raw) is left alone.
    if created and not kwargs.get("raw"):
        from lmo.organisations.actions import ensure_personal_organisation

        ensure_personal_organisation(user=instance)


def connect() -> None:
    post_save.connect(
        _personal_organisation,
        sender=get_user_model(),
        dispatch_uid="lmo.organisations.personal",
    )
