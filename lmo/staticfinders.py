"""Serve plotly.js from the installed plotly package (no CDN, same version as plotly.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "vendor/plotly.min.js"
_DIR = Path(plotly.__file__).resolve().parent / "package_data"


class PlotlyFinder(BaseFinder):
    def __init__(self) -> None:
        self.storage = FileSystemStorage(location=str(_DIR))
        self.storage.prefix = "vendor"  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if path != PLOTLY_JS:
            return [] if find_all else None
        found = str(_DIR / "plotly.min.js")
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Any:
        yield "plotly.min.js", self.storage
