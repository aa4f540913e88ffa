"""Checking parameters against an action's JSON schema (shared by the server and the
local agent; no Django import). Validators are compiled once per schema: compiling one
(and checking the schema itself) costs more than most commands."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import jsonschema


class SchemaProblem(ValueError):
    """``params`` do not match, or the schema itself is broken (``broken_schema``)."""

    def __init__(self, message: str, *, broken_schema: bool = False) -> None:
        super().__init__(message)
        self.broken_schema = broken_schema


@lru_cache(maxsize=1024)
def _validator(schema_json: str) -> Any:
    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _compiled(schema: dict[str, Any]) -> Any:
    try:
        return _validator(json.dumps(schema, sort_keys=True))
    except (jsonschema.SchemaError, TypeError, ValueError) as exc:
        raise SchemaProblem(f"invalid schema: {exc}", broken_schema=True) from None


def schema_is_valid(schema: dict[str, Any]) -> bool:
    try:
        _compiled(schema)
    except SchemaProblem:
        return False
    return True


def check_params(params: Any, schema: dict[str, Any]) -> None:
    """Raise SchemaProblem naming the first mismatch (``path: message``)."""
    validator = _compiled(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(params))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "parameters"
        raise SchemaProblem(f"{where}: {error.message}")
