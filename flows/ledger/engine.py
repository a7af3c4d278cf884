"""Engines for the ledger: SQLite for one machine, PostgreSQL for several workers.

SQLite serializes writers per database file.  The ``sqlite3`` driver, left alone, starts a
transaction only at the first write, so two processes may both read "not yet submitted"
before either writes.  Here the driver's own transaction handling is switched off and every
write transaction starts with ``BEGIN IMMEDIATE``, taking the write lock before its first
read; the busy timeout makes the second writer wait instead of failing.  WAL mode lets
readers go on meanwhile.  PostgreSQL needs nothing special: the ledger's queries take row
locks (``FOR UPDATE``, ``SKIP LOCKED``) and unique constraints decide races.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

WRITE = "ledger_write"
"""Execution option that marks an engine's transactions as writes (``BEGIN IMMEDIATE``)."""

SQLITE_BUSY_TIMEOUT_S = 60.0


def create_ledger_engine(url: str | URL) -> Engine:
    """An engine for ``url``; ``postgresql://`` means psycopg 3, the driver the project ships."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, see module doc
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        immediate = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the file to WAL (it stays so); wait while another connection holds a lock.

    Changing the journal mode needs the file to itself and SQLite answers "database is
    locked" at once instead of calling the busy handler, which happens when two workers
    open a brand-new ledger together.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL").fetchall()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
