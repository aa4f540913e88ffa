"""Streaming CSV downloads whose cells a spreadsheet will not run as formulas (values
come from computers, files and the model)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in FORMULA_STARTS and not _number(value):
        return "'" + value
    return "" if value is None else value


def write_rows(out: Any, rows: Iterable[Iterable[Any]]) -> None:
    """Write ``rows`` as CSV to a text stream, cells made safe as in ``csv_response``."""
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])


def csv_response(rows: Iterable[Iterable[Any]], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([safe_cell(v) for v in row]) for row in rows), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
