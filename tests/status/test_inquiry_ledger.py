"""Which claims get a 276, and never twice for the same claim and day."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flows.ledger import ClaimEvent, EventKind, Ledger
from tests.ledger.helpers import NOON, claim, submit

DAY = NOON.date()


def _days(payer_id: str) -> int:
    return 30


def test_claims_past_the_payers_days_without_an_835_are_asked_about(ledger: Ledger) -> None:
    submit(ledger, [claim("ENC-1"), claim("ENC-2"), claim("ENC-3")])
    ledger.apply_events([ClaimEvent("ENC-2", EventKind.PAID, NOON + timedelta(days=9), "a.835",
                                    ref="CLP", amount=Decimal("175.00"))])  # fmt: skip
    ledger.apply_events([ClaimEvent("ENC-3", EventKind.STATUS_ACCEPTED, NOON + timedelta(days=1),
                                    "a.277", ref="A1")])  # fmt: skip
    assert ledger.status_inquiry_candidates(DAY + timedelta(days=30), _days) == []
    later = DAY + timedelta(days=31)
    asked = {c.clm01 for c in ledger.status_inquiry_candidates(later, _days)}
    assert asked == {"ENC-1", "ENC-3"}  # ENC-2 was paid; ENC-3 accepted, never paid


def test_a_rerun_does_not_ask_again_the_same_day(ledger: Ledger) -> None:
    submit(ledger, [claim("ENC-1"), claim("ENC-2")])
    night = DAY + timedelta(days=40)
    traces = {"ENC-1": "ENC-1-x", "ENC-2": "ENC-2-x"}
    assert ledger.record_status_inquiry("000000009.276", 9, b"ISA...", traces, night)
    assert not ledger.record_status_inquiry("000000010.276", 10, b"ISA...", traces, night)
    assert ledger.status_inquiry_candidates(night, _days) == []
    (pending,) = ledger.unsent_status_inquiries(night)
    assert (pending.file_name, pending.claim_count) == ("000000009.276", 2)
    ledger.mark_status_inquiry_sent(pending.id)
    assert ledger.unsent_status_inquiries(night) == []
    assert ledger.status_inquiry_candidates(night + timedelta(days=6), _days) == []
    again = ledger.status_inquiry_candidates(night + timedelta(days=7), _days)
    assert {c.clm01 for c in again} == {"ENC-1", "ENC-2"}  # a week later: ask again
