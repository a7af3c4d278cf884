"""The engine where the pipeline meets the outside: before upload and at ingest.

Real parts, as in ``tests/pipeline``: moto's S3 server, the sandbox clearinghouse over
SFTP, a SQLite ledger and Prefect's test harness.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from flows.ledger import InterchangeState, Ledger
from flows.ledger.models import Interchange
from flows.nightly import nightly_submission
from flows.scrub import check_context
from flows.submission import build_files, new_encounter_files
from mappings.profiles import clearinghouse_profile
from tests.pipeline.conftest import NIGHT, Night, night_encounters


@pytest.mark.slow
def test_an_interchange_that_breaks_the_guide_is_held_and_never_sent(night: Night) -> None:
    """A builder bug that writes a bad segment must not reach the clearinghouse: the night
    holds the interchange, says why in 999 terms, and sends nothing of it."""
    night.put_encounters("night.jsonl", night_encounters(3, broken=0))
    with Ledger.open(night.ledger_url) as ledger:
        files = new_encounter_files(night.store, ledger, NIGHT, "test-run")
        built = build_files(
            files,
            store=night.store,
            ledger=ledger,
            profile=clearinghouse_profile("sandbox"),
            context=check_context(today=NIGHT),
            business_date=NIGHT,
            created=datetime(2026, 11, 27, 1, 0),
        )
        assert built.claims == 3
        with ledger._write() as session:  # the stored bytes, damaged as a bug would
            row = session.scalars(select(Interchange)).one()
            row.content = row.content.replace(b"\nSBR*P*", b"\nSBR*Q*", 1)

    result = nightly_submission(NIGHT)

    [why] = result["held_interchanges"].values()
    assert "IK304 1 at SBR" in why
    assert night.received_claims() == []
    with Ledger.open(night.ledger_url) as ledger:
        with ledger._read() as session:
            row = session.scalars(select(Interchange)).one()
        assert row.state == InterchangeState.HELD
        kept = ledger.interchange_findings(row.id)  # why, kept with it (issue 18)
        assert kept and kept[0].label in why and kept[0].segment_id == "SBR"


@pytest.mark.slow
def test_a_night_of_good_interchanges_holds_nothing(night: Night) -> None:
    night.put_encounters("night.jsonl", night_encounters(4, broken=0))
    result = nightly_submission(NIGHT)
    assert result["held_interchanges"] == {}
    assert len(night.received_claims()) == 4


@pytest.mark.slow
def test_ingest_warns_of_a_response_that_breaks_its_guide_and_still_reads_it(
    night: Night,
) -> None:
    from flows.clearinghouse.sftp import SftpClearinghouse
    from flows.ingestion import ingest
    from flows.settings import Settings

    night.put_encounters("night.jsonl", night_encounters(3, broken=0))
    nightly_submission(NIGHT)
    remits = [p for p in night.sandbox.outbound.iterdir() if b"ST*835*" in p.read_bytes()]
    assert remits
    damaged = remits[0]
    damaged.write_bytes(damaged.read_bytes().replace(b"N1*PR*", b"N1*PR*" + b"X" * 70, 1))

    profile = Settings().clearinghouse_profile()
    clearinghouse = SftpClearinghouse(profile.transport)
    with Ledger.open(night.ledger_url) as ledger:
        try:
            summary = ingest(ledger, clearinghouse, night.store, profile, NIGHT)
        finally:
            clearinghouse.close()

    guide = [f for f in summary.findings if f.rule_id == "INGEST.FILE.GUIDE"]
    assert [f.source for f in guide] == [damaged.name]
    assert guide[0].severity == "warn" and "IK403 5 at N102" in guide[0].message
    assert damaged.name in summary.files  # read and applied all the same
