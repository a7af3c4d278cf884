"""The nightly 276: sent once for the quiet claims, answered by the sandbox, read back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from edi.events import EventKind
from flows.ledger import Ledger
from flows.nightly import _clearinghouse, ingest_responses, nightly_submission
from flows.settings import Settings
from flows.status_inquiry import send_status_inquiries
from mappings.profiles import payer_profiles
from tests.pipeline.conftest import NIGHT, Night, night_encounters


def _inquire(day):
    settings = Settings()
    with Ledger.open(settings.ledger) as ledger, _clearinghouse(settings) as clearinghouse:
        return send_status_inquiries(
            ledger, clearinghouse, settings.clearinghouse_profile(), payer_profiles(), day
        )


@pytest.mark.slow
def test_quiet_claims_get_one_276_and_the_277_lands_in_their_timeline(night: Night) -> None:
    night.put_encounters("clinic.jsonl", night_encounters(6, broken=0))
    nightly_submission(NIGHT)  # uploads; the sandbox answers every claim at once
    later = NIGHT + timedelta(days=45)
    first = _inquire(later)
    assert len(first.files) == 1 and first.claims == len(night.received_claims())
    sent = sorted(p.name for p in night.sandbox.received.iterdir() if p.suffix == ".276")
    assert sent == first.files
    again = _inquire(later)  # a rerun of the same night asks nothing again
    assert again.files == [] and again.claims == 0
    assert sorted(p.name for p in night.sandbox.received.iterdir() if p.suffix == ".276") == sent

    ingest_responses(later)
    with night.ledger() as ledger:
        clm01 = night.received_claims()[0]
        kinds = [e.kind for e in ledger.timeline(clm01)]
    assert EventKind.STATUS_INQUIRED in kinds and EventKind.STATUS_ANSWERED in kinds
