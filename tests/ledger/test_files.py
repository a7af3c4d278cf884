"""Encounter files: one live reader per file, a crashed reader's file read again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.ledger import FileStatus, Ledger, LedgerError
from flows.ledger.files import FILE_LEASE, UPLOAD_LEASE, Held
from tests.ledger.helpers import DAY, NOON, claim, interchange

BUCKET, KEY = "claims", "nightly/encounters/2026-11-27/a.jsonl"


def test_a_file_is_taken_by_one_run_and_done_once(ledger: Ledger) -> None:
    assert ledger.take_file(BUCKET, KEY, '"etag-1"', DAY, "run-1", now=NOON) is True
    assert ledger.take_file(BUCKET, KEY, "etag-1", DAY, "run-2", now=NOON) is False
    assert ledger.take_file(BUCKET, KEY, "etag-1", DAY, "run-1", now=NOON) is True  # a retry
    ledger.finish_file(BUCKET, KEY, "etag-1", encounters=10, exceptions=2, now=NOON)
    assert (
        ledger.take_file(BUCKET, KEY, "etag-1", DAY, "run-3", now=NOON + timedelta(days=1)) is False
    )
    [seen] = ledger.ingested_files(DAY)
    assert (seen.status, seen.etag, seen.encounter_count, seen.exception_count) == (
        FileStatus.DONE,
        "etag-1",
        10,
        2,
    )


def test_a_crashed_runs_file_is_taken_over_after_the_lease(ledger: Ledger) -> None:
    ledger.take_file(BUCKET, KEY, "etag-1", DAY, "run-1", now=NOON)
    later = NOON + timedelta(minutes=61)
    assert ledger.take_file(BUCKET, KEY, "etag-1", DAY, "run-2", now=later) is True
    assert ledger.ingested_files()[0].taken_by == "run-2"


def test_a_failed_file_is_taken_again_and_a_rewritten_file_is_a_new_file(ledger: Ledger) -> None:
    ledger.take_file(BUCKET, KEY, "etag-1", DAY, "run-1", now=NOON)
    ledger.finish_file(BUCKET, KEY, "etag-1", encounters=0, exceptions=0, failed=True)
    assert ledger.take_file(BUCKET, KEY, "etag-1", DAY, "run-2", now=NOON) is True
    assert ledger.take_file(BUCKET, KEY, "etag-2", DAY, "run-2", now=NOON) is True
    assert len(ledger.ingested_files(DAY)) == 2


def test_finishing_a_file_never_taken_is_an_error(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="never taken"):
        ledger.finish_file(BUCKET, KEY, "etag-1", encounters=1, exceptions=0)


def test_unsent_names_held_files_and_uploads_with_their_holders_until_when(
    ledger: Ledger,
) -> None:
    """A run that ends with work of its night held elsewhere must be able to say so."""
    assert not ledger.unsent(DAY)
    ledger.take_file(BUCKET, KEY, "etag-1", DAY, "run-1", now=NOON)
    waiting = ledger.admit_claims([claim("E1"), claim("E2")], now=NOON)
    recorded = ledger.record_interchange(interchange(ledger, waiting.admitted[:1]), now=NOON)
    [pending] = ledger.claim_pending_interchanges("run-1", now=NOON)
    assert pending.id == recorded

    unsent = ledger.unsent(DAY)
    assert unsent.files == [Held(KEY, "run-1", NOON + FILE_LEASE)]
    assert unsent.uploads == [Held(pending.file_name, "run-1", NOON + UPLOAD_LEASE)]
    assert unsent.claims_not_built == 1
    assert f"{KEY} (held by run-1 until 2026-11-27 13:00 UTC)" in unsent.describe()
    assert unsent.as_dict()["claims_not_built"] == 1

    ledger.finish_file(BUCKET, KEY, "etag-1", encounters=2, exceptions=0, now=NOON)
    ledger.mark_uploaded(pending.id, "remote", at=NOON)
    assert ledger.unsent(DAY).files == [] and ledger.unsent(DAY).uploads == []
