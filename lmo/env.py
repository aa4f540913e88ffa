"""Small typed readers for settings that come from the environment.

Each helper either returns a value of the promised type or raises
``ImproperlyConfigured`` naming the variable and what was wrong with it, so a
typo in a deployment fails at start-up instead of silently using a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str | None:
    """The variable as a stripped string, or ``default`` when unset or blank."""
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    """Accepts 1/0, true/false, yes/no, on/off (any case)."""
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """An integer, optionally bounded (inclusive)."""
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is too small; the minimum is {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is too large; the maximum is {maximum}.")
    return number


def env_float(
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> float:
    """A decimal number, optionally bounded (inclusive)."""
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if number != number or (minimum is not None and number < minimum):
        raise ImproperlyConfigured(f"{name}={number} is too small; the minimum is {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is too large; the maximum is {maximum}.")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(
    name: str, default: str, choices: tuple[str, ...], *, environ: Mapping[str, str] | None = None
) -> str:
    """One of ``choices`` (case-insensitive)."""
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return lowered


def env_url(
    name: str,
    default: str | None,
    *,
    schemes: tuple[str, ...],
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """A URL whose scheme is one of ``schemes`` (a ``+suffix`` such as ``smtp+tls`` counts)."""
    value = _raw(name, environ)
    if value is None:
        return default
    check_url(name, value, schemes)
    return value


def check_url(name: str, value: str, schemes: tuple[str, ...]) -> None:
    """Raise ``ImproperlyConfigured`` unless ``value`` is a URL with an accepted scheme."""
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a valid URL: {exc}.") from None
    base_scheme = parts.scheme.split("+", 1)[0]
    if parts.scheme not in schemes and base_scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name}={value!r} must start with one of: {', '.join(s + '://' for s in schemes)}."
        )


def env_origins(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """A comma-separated list of origins such as ``https://lmo.example.com``."""
    origins = env_list(name, default, environ=environ)
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImproperlyConfigured(
                f"{name} item {origin!r} is not an origin; write it as https://host[:port]."
            )
    return origins
