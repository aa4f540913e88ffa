"""Where graph state is kept between steps: SQLite in the embedded mode, PostgreSQL in the
scaled mode. One saver (and its tables' ``setup()``) per process; strict msgpack, so a
checkpoint can only ever decode to plain data and known message types."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from django.conf import settings
from django.db import connections
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

_lock = threading.Lock()
_savers: dict[tuple[str, ...], BaseCheckpointSaver[Any]] = {}
_graphs: dict[tuple[str, ...], Any] = {}


def serializer() -> JsonPlusSerializer:
    # None = only LangGraph's built-in allow-list of safe types (strict msgpack).
    return JsonPlusSerializer(allowed_msgpack_modules=None)


def _postgres_conninfo() -> str:
    from psycopg.conninfo import make_conninfo

    db = connections["default"].settings_dict
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    return make_conninfo(**{k: v for k, v in params.items() if v})


def _key() -> tuple[str, ...]:
    if connections["default"].vendor == "postgresql":
        return ("postgres", _postgres_conninfo())
    return ("sqlite", str(settings.LMO_CHECKPOINT_PATH))


def new_checkpointer() -> BaseCheckpointSaver[Any]:
    """A fresh saver on the configured store, its tables set up."""
    kind, target = _key()
    if kind == "postgres":
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        pool: ConnectionPool[Any] = ConnectionPool(
            target,
            min_size=1,
            max_size=settings.LMO_TASK_THREADS + 2,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=True,
        )
        postgres_saver = PostgresSaver(pool, serde=serializer())
        postgres_saver.setup()
        return postgres_saver
    from langgraph.checkpoint.sqlite import SqliteSaver

    settings.LMO_CHECKPOINT_PATH.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    sqlite_saver = SqliteSaver(conn, serde=serializer())
    sqlite_saver.setup()
    return sqlite_saver


def get_checkpointer() -> BaseCheckpointSaver[Any]:
    key = _key()
    with _lock:
        if key not in _savers:
            _savers[key] = new_checkpointer()
        return _savers[key]


def get_graph() -> Any:
    """The compiled assistant graph on this process's checkpointer."""
    from chat.pipeline.graph import build_graph

    key = _key()
    saver = get_checkpointer()
    with _lock:
        if key not in _graphs:
            _graphs[key] = build_graph(saver)
        return _graphs[key]
