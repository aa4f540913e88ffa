"""Secrets stored at rest (an organisation's LLM key, later connector credentials):
encrypted with Fernet (``cryptography``), AES-128-CBC + HMAC-SHA256, under the keys of
``LMO_ENCRYPTION_KEYS``. The first key encrypts; every key decrypts, so a new key is
added in front, ``manage.py lmo_rotate_encryption`` re-encrypts every stored secret
with it, and the old key can then be dropped.

Encrypted columns are registered (``register_encrypted_field``) from their app's
``ready()`` so the rotation command finds them all."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys decrypts."""


@dataclass(frozen=True)
class EncryptedField:
    model: str  # "app_label.ModelName"
    field: str


_FIELDS: list[EncryptedField] = []


def register_encrypted_field(model: str, field: str) -> None:
    entry = EncryptedField(model, field)
    if entry not in _FIELDS:
        _FIELDS.append(entry)


def encrypted_fields() -> list[EncryptedField]:
    return list(_FIELDS)


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.LMO_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with LMO_ENCRYPTION_KEYS "
            "(was the key that encrypted it removed?)."
        ) from exc


def rotate(token: str) -> str:
    """The same secret encrypted with the first key."""
    try:
        return _current().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("A stored secret cannot be decrypted with any key.") from exc


def rotate_all() -> int:
    """Re-encrypt every registered column with the first key; the number of values."""
    count = 0
    for entry in _FIELDS:
        model = apps.get_model(entry.model)
        rows = model._default_manager.exclude(**{entry.field: ""}).values_list("pk", entry.field)
        for pk, token in rows.iterator():
            model._default_manager.filter(pk=pk, **{entry.field: token}).update(
                **{entry.field: rotate(token)}
            )
            count += 1
    return count
