"""The exactly-once rule as a pure decision, before any database is involved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.ledger.admission import CurrentGeneration, Verdict, decide
from flows.ledger.states import ClaimState
from tests.ledger.helpers import FILE_A, FILE_B, claim

SENT = datetime(2026, 11, 20, 23, 5, tzinfo=UTC)


def current(state: ClaimState, source: str = FILE_A, generation: int = 1) -> CurrentGeneration:
    sent = state is not ClaimState.ADMITTED
    return CurrentGeneration(
        generation=generation,
        state=state,
        source_file=source,
        isa13=42 if sent else None,
        recorded_at=SENT if sent else None,
        submitted_at=SENT if sent and state is not ClaimState.BUILT else None,
    )


def test_first_sight_is_generation_one() -> None:
    assert decide(claim("E1"), None).verdict is Verdict.NEW
    assert decide(claim("E1"), None).generation == 1


def test_admitted_but_never_built_is_built_now() -> None:
    decision = decide(claim("E1", FILE_A), current(ClaimState.ADMITTED))
    assert (decision.verdict, decision.generation) == (Verdict.PENDING, 1)


def test_admitted_from_another_file_and_not_built_is_a_duplicate() -> None:
    """Two files of one night in parallel batches: the second file's copy would race the
    first for the same claim (``ClaimsAlreadyRecorded``); it is a duplicate instead."""
    decision = decide(claim("E1", FILE_B), current(ClaimState.ADMITTED))
    assert (decision.verdict, decision.generation) == (Verdict.DUPLICATE, 1)
    assert decision.message == f"already taken from {FILE_A}, not yet built"


@pytest.mark.parametrize("state", [ClaimState.SUBMITTED, ClaimState.PAID, ClaimState.REJECTED])
def test_the_same_file_read_again_is_already_handled(state: ClaimState) -> None:
    assert decide(claim("E1", FILE_A), current(state)).verdict is Verdict.HANDLED


def test_a_later_file_with_frequency_1_is_a_duplicate_naming_date_and_interchange() -> None:
    decision = decide(claim("E1", FILE_B), current(ClaimState.ACKNOWLEDGED))
    assert decision.verdict is Verdict.DUPLICATE
    assert decision.message == "already submitted on 2026-11-20 in interchange 000000042"


def test_a_duplicate_of_a_claim_not_yet_confirmed_uploaded_says_so() -> None:
    decision = decide(claim("E1", FILE_B), current(ClaimState.BUILT))
    assert decision.verdict is Verdict.DUPLICATE
    assert "interchange 000000042 recorded on 2026-11-20" in decision.message


@pytest.mark.parametrize("frequency", ["7", "8"])
def test_a_correction_is_a_new_generation(frequency: str) -> None:
    decision = decide(claim("E1", FILE_B, frequency), current(ClaimState.PAID, generation=2))  # type: ignore[arg-type]
    assert (decision.verdict, decision.generation) == (Verdict.NEW, 3)


def test_a_fix_after_a_rejection_goes_out_again() -> None:
    decision = decide(claim("E1", FILE_B), current(ClaimState.REJECTED))
    assert (decision.verdict, decision.generation) == (Verdict.NEW, 2)
