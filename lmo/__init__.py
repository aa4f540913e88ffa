"""LMO: a self-hosted AI assistant that can safely act on its user's own computer."""

from __future__ import annotations

__version__ = "0.1.0"

from lmo.celery import app as celery_app

__all__ = ["__version__", "celery_app"]
