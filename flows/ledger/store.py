"""Sessions and transactions shared by the parts of the ledger.

Every public ledger method is one short transaction, so a crash between two calls leaves
the ledger in a state the next run can continue from.  Writes go through :meth:`Store._write`
(``BEGIN IMMEDIATE`` on SQLite, see :mod:`flows.ledger.engine`); writes that may lose a
unique-constraint race to another run on PostgreSQL go through :meth:`Store._transact`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg
from sqlalchemy import ColumnElement, Engine, Table, any_, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flows.ledger.engine import WRITE
from flows.ledger.errors import LedgerError

T = TypeVar("T")

CHUNK = 5000
"""Rows per ``IN (...)`` list: under SQLite's and psycopg's parameter limits."""

RACE_ATTEMPTS = 3


def utcnow() -> datetime:
    return datetime.now(UTC)


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def one_of(session: Session, column: Any, values: Collection) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``column = ANY(:values)``, one array parameter.

    A 5,000-key lookup with ``IN`` is 5,000 placeholders that psycopg parses again on every
    call (too long for its statement cache): in bench/bench_million.py that parsing was the
    ledger's largest single cost.  With one array parameter the statement is short and
    parsed once.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) in ``session``'s transaction, as fast as the
    database takes them: ``COPY`` on PostgreSQL, one ``executemany`` on SQLite.

    For many rows whose IDs nobody needs back: admitting 20,000 claims took 4.3 s through
    the ORM and 0.4 s with ``COPY`` (bench/bench_ledger.py).  The table's unique constraints
    decide as for an ``INSERT``: a violation is an :class:`IntegrityError` and nothing of
    the call lands.  Values pass the columns' own bind processing (UTC timestamps) first.
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(table.insert(), rows)
        return
    _copy(session, table, table.name, rows)


def insert_new_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], unique: Sequence[str]
) -> int:
    """Insert the ``rows`` whose ``unique`` key is not in ``table`` yet (``ON CONFLICT DO
    NOTHING``, so a rerun adds nothing); how many were new.

    On PostgreSQL the rows are COPYed into a temporary table of this transaction and moved
    with one ``INSERT … SELECT … ON CONFLICT DO NOTHING``: a multi-row ``VALUES`` of
    thousands of parameters is parsed again on every call (too long for psycopg's
    statement cache) and cost as much as every other ledger write of a night together
    (bench/bench_million.py).
    """
    if not rows:
        return 0
    if session.get_bind().dialect.name != "postgresql":
        insert = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(unique))
        return session.execute(insert, rows).rowcount
    columns = ", ".join(rows[0])
    staging = f"new_{table.name}"
    session.execute(
        text(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table.name} WITH NO DATA"
        )
    )
    session.execute(text(f"DELETE FROM {staging}"))  # an earlier call of this transaction
    _copy(session, table, staging, rows)
    return session.execute(
        text(
            f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {staging} "
            f"ON CONFLICT ({', '.join(unique)}) DO NOTHING"
        )
    ).rowcount


def _copy(session: Session, table: Table, into: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """COPY ``rows`` of ``table``'s columns into the table named ``into``."""
    dialect = session.get_bind().dialect
    columns = list(rows[0])
    processors = [table.c[column].type._cached_bind_processor(dialect) for column in columns]
    statement = f"COPY {into} ({', '.join(columns)}) FROM STDIN"
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        row[column] if process is None else process(row[column])
                        for column, process in zip(columns, processors, strict=True)
                    ]
                )
    except psycopg.IntegrityError as error:
        raise IntegrityError(statement, None, error) from error
    finally:
        cursor.close()


class Store:
    """An engine and its transactions; the ledger's parts build on it."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name not in ("sqlite", "postgresql"):
            raise LedgerError(f"the ledger runs on SQLite or PostgreSQL, not {engine.dialect.name}")
        self.engine = engine
        self._writer = engine.execution_options(**{WRITE: True})
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def _transact(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one write transaction, again if a concurrent run won a unique race.

        The retry starts a new transaction, which sees the other run's committed rows and
        so decides differently (a claim the other run admitted is no longer new).
        """
        attempt = 1
        while True:
            try:
                with self._write() as session:
                    return work(session)
            except IntegrityError:
                if attempt == RACE_ATTEMPTS:
                    raise
                attempt += 1
