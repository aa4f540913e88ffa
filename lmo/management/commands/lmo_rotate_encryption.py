"""Re-encrypt every stored secret with the first of LMO_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lmo.crypto import SecretUnreadable, rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt stored secrets (organisations' LLM keys...) with the first key of "
        "LMO_ENCRYPTION_KEYS; afterwards the older keys can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = rotate_all()
        except SecretUnreadable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Re-encrypted {count} secret{'s' if count != 1 else ''}.")
