"""A held interchange keeps why it was held: its SNIP 1-2 errors, in 999 terms, no values."""

from __future__ import annotations

from flows.ledger import InterchangeState, Ledger
from flows.submission import guide_errors
from tests.ledger.helpers import NOON, claim, interchange
from tests.validate.conftest import built_837p


def test_a_held_interchange_keeps_its_findings_and_a_second_hold_adds_none(
    ledger: Ledger,
) -> None:
    admitted = ledger.admit_claims([claim("ENC-1")], now=NOON).admitted
    interchange_id = ledger.record_interchange(interchange(ledger, admitted), now=NOON)
    [taken] = ledger.claim_pending_interchanges("run-1", now=NOON)
    bad = built_837p(1).replace(b"\nSBR*P*", b"\nSBR*Q*", 1).replace(b"DMG*D8*", b"DMG*D8*1", 1)
    why, findings = guide_errors(bad) or ("", ())

    assert ledger.hold_interchange(taken.id, "run-1", findings, now=NOON)
    assert not ledger.hold_interchange(taken.id, "run-2", findings[:1], now=NOON)

    kept = ledger.interchange_findings(interchange_id)
    assert kept == findings and len(kept) >= 2
    assert "IK304 1 at SBR" in why and any(f.label.startswith("IK403 8 at DMG02") for f in kept)
    assert all(f.label[:5] in ("IK304", "IK403") for f in kept)  # codes and places, no values
    assert ledger.interchange(interchange_id).state == InterchangeState.HELD


def test_an_unreadable_interchange_is_held_with_the_reason(ledger: Ledger) -> None:
    admitted = ledger.admit_claims([claim("ENC-2")], now=NOON).admitted
    interchange_id = ledger.record_interchange(interchange(ledger, admitted), now=NOON)
    why, findings = guide_errors(b"not X12 at all") or ("", ())
    ledger.hold_interchange(interchange_id, "run-1", findings, now=NOON)
    [kept] = ledger.interchange_findings(interchange_id)
    assert (kept.level, kept.label) == ("file", why)
    assert ledger.interchange_findings(interchange_id + 1) == ()
