"""Bulk inserts (``COPY`` on PostgreSQL) keep the unique constraints' last word and the
columns' own checks, so admission stays exactly-once at its new speed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from flows.ledger import ClaimException, Ledger
from flows.ledger.held import ClaimCheck
from flows.ledger.models import CheckText, Claim
from flows.ledger.store import insert_rows
from tests.ledger.helpers import DAY, FILE_A, NOON, claim

TABLE = Claim.__table__


def _row(clm01: str, generation: int = 1, at: datetime = NOON) -> dict[str, Any]:
    return {
        "clm01": clm01,
        "generation": generation,
        "frequency_code": "1",
        "payer_id": "87726",
        "charge_cents": 17500,
        "paid_cents": 0,
        "state": "admitted",
        "business_date": DAY,
        "source_file": FILE_A,
        "admitted_at": at,
        "updated_at": at,
    }


def _clm01s(ledger: Ledger) -> list[tuple[str, int]]:
    with Session(ledger.engine) as session:
        return [tuple(r) for r in session.execute(select(Claim.clm01, Claim.generation))]


def test_a_claim_another_run_inserted_first_fails_the_whole_insert(ledger: Ledger) -> None:
    """What a concurrent run's admission meets: an IntegrityError (admit_claims then
    decides again), and none of the batch's other rows stored."""
    ledger.admit_claims([claim("ENC-1")], now=NOON)
    with pytest.raises(IntegrityError), Session(ledger.engine) as session, session.begin():
        insert_rows(session, TABLE, [_row("ENC-0"), _row("ENC-1"), _row("ENC-2")])
    assert _clm01s(ledger) == [("ENC-1", 1)]


def test_bulk_rows_pass_the_columns_checks_and_read_back_exactly(ledger: Ledger) -> None:
    # SQLAlchemy wraps the column's ValueError in a StatementError on SQLite's INSERT.
    naive = [_row("ENC-1", at=NOON.replace(tzinfo=None))]
    with (
        pytest.raises((ValueError, StatementError), match="timezone-aware"),
        Session(ledger.engine) as session,
        session.begin(),
    ):
        insert_rows(session, TABLE, naive)
    with Session(ledger.engine) as session, session.begin():
        insert_rows(session, TABLE, [_row("ENC-1"), _row("ENC-1", generation=2)])
    [first, second] = ledger.find_claims(["ENC-1"], all_generations=True)
    assert (first.generation, second.generation) == (1, 2)
    assert (str(second.charge), second.admitted_at, second.business_date) == ("175.00", NOON, DAY)


def test_exceptions_and_checks_kept_once_whatever_the_reruns(ledger: Ledger) -> None:
    """``ON CONFLICT DO NOTHING`` through the staging table: a rerun adds nothing."""
    exceptions = [
        ClaimException(f"ENC-{n}", FILE_A, "R-1", DAY, [{"message": "m"}]) for n in range(3)
    ]
    assert ledger.record_exceptions(exceptions[:2], now=NOON) == 2
    assert ledger.record_exceptions(exceptions, now=NOON) == 1
    warning = {"rule_id": "R-2", "level": 5, "message": "m", "fix": "f"}
    checks = [ClaimCheck(f"ENC-{n}", FILE_A, DAY, "sent", [warning], ["r1"]) for n in range(3)]
    ledger.record_checks(checks[1:], now=NOON)
    ledger.record_checks(checks, now=NOON)
    assert [e.subject for e in ledger.find_exceptions()] == ["ENC-0", "ENC-1", "ENC-2"]
    assert sorted(ledger.find_checks(), key=lambda c: c.clm01) == checks
    with Session(ledger.engine) as session:  # each text once, however many claims carry it
        assert len(session.scalars(select(CheckText)).all()) == 2
