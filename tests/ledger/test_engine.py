"""Engine settings: where the default ledger lives and how SQLite serializes writers."""

from __future__ import annotations

import pytest
from sqlalchemy import create_mock_engine, text

from flows.ledger import Ledger, LedgerError
from flows.ledger.engine import create_ledger_engine


def test_postgresql_urls_use_psycopg_3() -> None:
    engine = create_ledger_engine("postgresql://postgres@127.0.0.1/test")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_sqlite_uses_wal_and_creates_the_data_folder(sqlite_url: str) -> None:
    with Ledger.open(sqlite_url) as ledger, ledger.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_writer_waits_for_the_other_instead_of_reading_stale_rows(sqlite_url: str) -> None:
    """BEGIN IMMEDIATE: a second write transaction cannot start while one is open."""
    with Ledger.open(sqlite_url) as ledger:
        writer = ledger.engine.execution_options(ledger_write=True)
        impatient = create_ledger_engine(sqlite_url)
        try:
            with writer.connect() as holding:
                holding.begin()
                with impatient.connect() as other:
                    other.connection.dbapi_connection.execute("PRAGMA busy_timeout=50")
                    with pytest.raises(Exception, match="locked"):
                        other.execution_options(ledger_write=True).begin()
        finally:
            impatient.dispose()


def test_other_databases_are_refused() -> None:
    mysql = create_mock_engine("mysql://", executor=lambda *_args, **_kwargs: None)
    with pytest.raises(LedgerError, match="SQLite or PostgreSQL"):
        Ledger(mysql)  # type: ignore[arg-type]
