"""The schema comes from the alembic scripts, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from flows.ledger import Ledger
from flows.ledger.engine import create_ledger_engine
from flows.ledger.migrate import alembic_config
from flows.ledger.models import Base

TABLES = {
    "alembic_version",
    "billed_services",
    "claim_checks",
    "claim_events",
    "claim_exceptions",
    "coding_queries",
    "held_claims",
    "claims",
    "control_sequences",
    "eligibility_files",
    "eligibility_inquiries",
    "ingested_files",
    "interchanges",
    "interchange_findings",
    "next_payer_claims",
    "response_files",
    "status_inquiries",
    "status_inquiry_files",
    "worklist_items",
}


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def test_scripts_are_found_through_the_package() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert Path(script.dir).name == "migrations"
    assert script.get_current_head() == "0007_interchange_findings"


def test_open_creates_the_schema_at_head_and_opening_again_changes_nothing(
    empty_database_url: str,
) -> None:
    with Ledger.open(empty_database_url) as ledger:
        assert ledger.allocate("ISA:A:B") == range(1, 2)
    with Ledger.open(empty_database_url) as ledger:
        assert set(inspect(ledger.engine).get_table_names()) == TABLES
        with ledger.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads() == (_head(),)
        assert ledger.allocate("ISA:A:B") == range(2, 3)


def test_models_match_the_migrations(empty_database_url: str) -> None:
    with Ledger.open(empty_database_url) as ledger, ledger.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_two_workers_opening_a_new_ledger_at_once_both_succeed(empty_database_url: str) -> None:
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def open_ledger() -> None:
        start.wait()
        try:
            Ledger.open(empty_database_url).close()
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=open_ledger) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    engine = create_ledger_engine(empty_database_url)
    try:
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()
