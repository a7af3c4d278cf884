"""The schema comes from the alembic scripts, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from flows.ledger import Ledger
from flows.ledger.engine import create_ledger_engine
from flows.ledger.migrate import alembic_config, upgrade
from flows.ledger.models import Base, CheckText, ClaimCheckRow

TABLES = {
    "alembic_version",
    "billed_services",
    "check_texts",
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
    assert script.get_current_head() == "0008_check_texts"


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


def test_0008_keeps_each_warning_once_and_gives_back_the_same_checks(
    empty_database_url: str,
) -> None:
    """Rows written before 0008 (warnings in full) read back unchanged after it, and each
    distinct warning and release name is kept once."""
    stale = {
        "rule_id": "SNIP5.ICD10.RELEASE_WINDOW",
        "level": 5,
        "field": "diagnoses",
        "message": "the date of service is outside ICD-10-CM FY2026",
        "fix": "Supply it",
    }
    ndc = {"rule_id": "SNIP6.NDC.MISSING", "level": 6, "message": "line 2: J1030 has no NDC",
           "fix": "Add the NDC", "field": "service_lines[1].ndc"}  # fmt: skip
    before = [
        ("ENC-1", "sent", [stale], ["icd10cm_order_2027.txt"]),
        ("ENC-2", "sent", [stale, ndc], ["icd10cm_order_2027.txt", "ccipra-v323r0-f1.txt"]),
        ("ENC-3", "held", [], []),
    ]
    engine = create_ledger_engine(empty_database_url)
    try:
        upgrade(engine, "0007_interchange_findings")
        with engine.begin() as connection:
            connection.execute(
                sa.insert(ClaimCheckRow.__table__),
                [
                    {"clm01": clm01, "source_file": "a.jsonl", "business_date": date(2026, 11, 26),
                     "disposition": disposition, "warnings": warnings, "releases": releases,
                     "checked_at": datetime(2026, 11, 27, tzinfo=UTC)}
                    for clm01, disposition, warnings, releases in before
                ],
            )  # fmt: skip
        upgrade(engine)
        ledger = Ledger(engine)
        after = [(c.clm01, c.disposition, c.warnings, c.releases) for c in ledger.find_checks()]
        assert after == before
        with engine.connect() as connection:
            assert (
                connection.execute(sa.select(sa.func.count()).select_from(CheckText)).scalar() == 4
            )
            stored = connection.execute(sa.select(ClaimCheckRow.warnings)).scalars().all()
        assert all(isinstance(i, int) for ids in stored for i in ids)
        ledger.record_checks(ledger.find_checks(clm01s=["ENC-2"]))  # a rerun adds nothing
        assert len(ledger.find_checks()) == 3
    finally:
        engine.dispose()
