"""Ingest reads the sandbox's 271 like any response file: archived, recorded under its own
kind (not as a TA1), counted on the run's summary, and deciding the claim held for it."""

from __future__ import annotations

from flows.clearinghouse.sftp import SftpClearinghouse
from flows.eligibility import hold_unverified, send_eligibility_inquiries
from flows.ingestion import ingest
from flows.ledger import Ledger
from flows.ledger.eligibility import EligibilityStatus
from flows.s3 import Area
from flows.settings import Settings
from mappings.profiles import Eligibility, payer_profiles
from tests.eligibility.test_eligibility_pass import _accepted
from tests.pipeline.conftest import NIGHT, Night, night

__all__ = ["night"]
CHECKED = {"87726": Eligibility(enabled=True)}


def test_a_271_is_recorded_as_a_271_and_counted(night: Night) -> None:
    profile = Settings().clearinghouse_profile()
    with Ledger.open(night.ledger_url) as ledger, SftpClearinghouse(profile.transport) as ch:
        hold_unverified(ledger, [_accepted("ingested", "W000000001")], "f.jsonl", NIGHT,
                        CHECKED, payer_profiles())  # fmt: skip
        assert send_eligibility_inquiries(ledger, ch, profile, CHECKED, NIGHT).asked == 1
        summary = ingest(ledger, ch, night.store, profile, NIGHT)
        again = ingest(ledger, ch, night.store, profile, NIGHT)  # marked done: nothing new
        kinds = [r.kind for r in ledger.parsed_responses(night.store.prefix(Area.INBOUND, NIGHT))]
        (row,) = ledger.eligibility_rows()
    assert (summary.eligibility_answers, len(summary.files), kinds) == (1, 1, ["271"])
    assert again.eligibility_answers == 0
    assert row.status == EligibilityStatus.ANSWERED
