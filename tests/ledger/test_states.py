"""The claim and interchange state tables: forward only, whatever order responses come in."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from flows.ledger.states import (
    CLAIM_TRANSITIONS,
    EVENT_TARGETS,
    INTERCHANGE_TRANSITIONS,
    ClaimState,
    EventKind,
    InterchangeState,
    can_move,
    next_state,
)

RESPONSES = [k for k in EventKind if k not in (EventKind.BUILT, EventKind.SUBMITTED)]


def test_every_state_has_a_row_and_nothing_leads_back_to_admitted() -> None:
    assert set(CLAIM_TRANSITIONS) == set(ClaimState)
    assert set(EVENT_TARGETS) == set(EventKind)
    assert all(ClaimState.ADMITTED not in targets for targets in CLAIM_TRANSITIONS.values())
    assert set(INTERCHANGE_TRANSITIONS) == set(InterchangeState)


def test_late_999_after_payment_does_not_move_the_claim() -> None:
    assert next_state(ClaimState.PAID, EventKind.ACK_ACCEPTED) is None
    assert next_state(ClaimState.ACCEPTED, EventKind.ACK_ACCEPTED) is None
    assert next_state(ClaimState.SUBMITTED, EventKind.ACK_ACCEPTED) is ClaimState.ACKNOWLEDGED


def test_rejection_is_final_for_its_generation() -> None:
    assert all(next_state(ClaimState.REJECTED, kind) is None for kind in EventKind)


def test_a_response_proves_an_unconfirmed_upload() -> None:
    assert next_state(ClaimState.BUILT, EventKind.STATUS_ACCEPTED) is ClaimState.ACCEPTED
    assert next_state(ClaimState.ADMITTED, EventKind.PAID) is None
    assert can_move(InterchangeState.UPLOADING, InterchangeState.ACKNOWLEDGED)


def test_reversal_then_readjudication() -> None:
    assert next_state(ClaimState.PAID, EventKind.REVERSED) is ClaimState.REVERSED
    assert next_state(ClaimState.REVERSED, EventKind.PAID) is ClaimState.PAID
    assert next_state(ClaimState.DENIED, EventKind.PAID) is ClaimState.PAID
    assert next_state(ClaimState.PAID, EventKind.DENIED) is None


def test_interchanges_never_go_back_to_pending_upload() -> None:
    assert not can_move(InterchangeState.UPLOADED, InterchangeState.UPLOADING)
    assert not can_move(InterchangeState.REJECTED, InterchangeState.ACKNOWLEDGED)
    assert can_move(InterchangeState.ACKNOWLEDGED, InterchangeState.REJECTED)


def _rank(state: ClaimState) -> int:
    """0 before submission, 1 submitted, 2 answered: a claim never drops a rank."""
    if state in (ClaimState.ADMITTED, ClaimState.BUILT):
        return 0
    return 1 if state is ClaimState.SUBMITTED else 2


@given(st.lists(st.sampled_from(list(EventKind)), max_size=30))
def test_any_sequence_of_events_only_moves_forward(kinds: list[EventKind]) -> None:
    state = ClaimState.ADMITTED
    for kind in kinds:
        target = next_state(state, kind)
        if target is not None:
            assert target in CLAIM_TRANSITIONS[state]
            assert _rank(target) >= _rank(state)
            state = target


@given(st.permutations(RESPONSES))
def test_responses_in_any_order_leave_a_submitted_claim_answered(kinds: list[EventKind]) -> None:
    state = ClaimState.SUBMITTED
    for kind in kinds:
        state = next_state(state, kind) or state
    assert state is not ClaimState.SUBMITTED


def test_states_and_records_import_without_sqlalchemy() -> None:
    """Worklist writers and pure code import these without paying for the database layer."""
    code = (
        "import sys\n"
        "from flows.ledger import ClaimRecord, ClaimState, ClaimsAlreadyRecorded\n"
        "import flows.ledger.admission\n"
        "assert 'sqlalchemy' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
