"""Responses: each file parsed once, each event kept once, claims moved only forward."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from flows.ledger import (
    ClaimEvent,
    ClaimState,
    EventKind,
    InterchangeState,
    Ledger,
    ResponseKind,
)
from tests.ledger.helpers import FILE_B, NOON, claim, interchange, submit

SHA = "ab" * 32


def test_a_response_file_is_parsed_once_even_when_delivered_twice(ledger: Ledger) -> None:
    key = "nightly/inbound/2026-11-28/resp.999"
    assert ledger.record_response_file("resp.999", SHA, ResponseKind.ACK_999, key) is True
    # a crash before parsing: the rerun is told to parse it
    assert ledger.record_response_file("resp.999", SHA, ResponseKind.ACK_999, key) is True
    ledger.mark_response_parsed(SHA)
    assert ledger.record_response_file("copy.999", SHA, ResponseKind.ACK_999, key) is False


def test_a_late_999_after_the_835_stays_in_the_timeline_without_moving_the_claim(
    ledger: Ledger,
) -> None:
    submit(ledger, [claim("ENC-1")])
    paid = ClaimEvent(
        "enc-1",
        EventKind.PAID,
        NOON + timedelta(days=9),
        "era.835",
        ref="CLP1",
        amount=Decimal("120.00"),
        payer_claim_number="ICN-77",
    )
    late_ack = ClaimEvent("ENC-1", EventKind.ACK_ACCEPTED, NOON + timedelta(days=10), "late.999")
    outcome = ledger.apply_events([paid, late_ack])
    assert (outcome.recorded, outcome.moved, outcome.repeated) == (2, 1, 0)
    [view] = ledger.find_claims(["ENC-1"])
    assert (view.state, view.paid, view.payer_claim_number) == (
        ClaimState.PAID,
        Decimal("120.00"),
        "ICN-77",
    )
    last = ledger.timeline("ENC-1")[-1]
    assert (last.kind, last.from_state, last.to_state) == (
        EventKind.ACK_ACCEPTED,
        ClaimState.PAID,
        None,
    )


def test_applying_the_same_file_twice_adds_nothing(ledger: Ledger) -> None:
    submit(ledger, [claim("ENC-1")])
    events = [
        ClaimEvent("ENC-1", EventKind.PAID, NOON, "era.835", ref="CLP1", amount=Decimal("50")),
        ClaimEvent("ENC-1", EventKind.REVERSED, NOON, "era.835", ref="CLP2", amount=Decimal("-50")),
        ClaimEvent("ENC-1", EventKind.PAID, NOON, "era.835", ref="CLP3", amount=Decimal("80.10")),
    ]
    first = ledger.apply_events(events)
    second = ledger.apply_events(events)
    assert (first.recorded, first.moved) == (3, 3)
    assert (second.recorded, second.repeated) == (0, 3)
    [view] = ledger.find_claims(["ENC-1"])
    assert (view.state, view.paid) == (ClaimState.PAID, Decimal("80.10"))


def test_events_for_unknown_claims_are_reported_not_stored(ledger: Ledger) -> None:
    outcome = ledger.apply_events([ClaimEvent("NOPE-1", EventKind.DENIED, NOON, "era.835")])
    assert (outcome.recorded, outcome.unknown) == (0, ("NOPE-1",))
    assert ledger.timeline("NOPE-1") == []


def test_an_event_quoting_a_payer_claim_number_finds_its_generation(ledger: Ledger) -> None:
    submit(ledger, [claim("ENC-1")])
    ledger.apply_events(
        [ClaimEvent("ENC-1", EventKind.STATUS_ACCEPTED, NOON, "a.277", payer_claim_number="ICN-1")]
    )
    submit(ledger, [claim("ENC-1", FILE_B, "7")])
    ledger.apply_events(
        [ClaimEvent("ENC-1", EventKind.DENIED, NOON, "era.835", payer_claim_number="ICN-1")]
    )
    states = [(c.generation, c.state) for c in ledger.find_claims(["ENC-1"], all_generations=True)]
    assert states == [(1, ClaimState.DENIED), (2, ClaimState.SUBMITTED)]


def test_a_response_proves_an_upload_that_was_never_confirmed(ledger: Ledger) -> None:
    admitted = ledger.admit_claims([claim("ENC-1")]).admitted
    interchange_id = ledger.record_interchange(interchange(ledger, admitted))
    ledger.apply_events([ClaimEvent("ENC-1", EventKind.ACK_ACCEPTED, NOON, "a.999")])
    assert ledger.mark_answered(interchange_id, InterchangeState.ACKNOWLEDGED) is True
    assert ledger.claim_pending_interchanges("run-2") == []
    assert ledger.find_claims(["ENC-1"])[0].state is ClaimState.ACKNOWLEDGED


def test_interchanges_are_found_by_isa13_or_gs06_and_answers_move_forward(ledger: Ledger) -> None:
    interchange_id = submit(ledger, [claim("ENC-1"), claim("ENC-2")])
    view = ledger.interchange(interchange_id)
    by_isa = ledger.find_interchange("CLINIC", "SANDBOXCH", isa13=view.isa13)
    by_gs = ledger.find_interchange("CLINIC", "SANDBOXCH", gs06=view.gs06)
    assert by_isa == by_gs == view
    assert [(c.clm01, c.st02) for c in view.claims] == [("ENC-1", 1), ("ENC-2", 1)]
    assert ledger.mark_answered(interchange_id, InterchangeState.REJECTED) is True
    assert ledger.mark_answered(interchange_id, InterchangeState.ACKNOWLEDGED) is False
    with pytest.raises(ValueError):
        ledger.find_interchange("CLINIC", "SANDBOXCH")
    with pytest.raises(ValueError):
        ledger.mark_answered(interchange_id, InterchangeState.UPLOADED)


def test_claims_waiting_for_an_answer_can_be_listed(ledger: Ledger) -> None:
    submit(ledger, [claim("OLD-1")], at=NOON - timedelta(days=40))
    submit(ledger, [claim("NEW-1", FILE_B)], at=NOON)
    waiting = ledger.find_claims(
        states={ClaimState.SUBMITTED, ClaimState.ACKNOWLEDGED, ClaimState.ACCEPTED},
        submitted_before=NOON - timedelta(days=30),
    )
    assert [c.clm01 for c in waiting] == ["OLD-1"]
