"""The life of a claim and of an interchange as small tables of allowed moves.

Responses arrive out of order (a 999 after the 835, a 277CA twice), so the ledger never
lets an event move a claim backward: every event lands in the timeline, but the claim's
state changes only along :data:`CLAIM_TRANSITIONS`.  This module is pure so the flows and
the worklist writers can import it without SQLAlchemy.
"""

from __future__ import annotations

from enum import StrEnum

from edi.events import EventKind


class ClaimState(StrEnum):
    ADMITTED = "admitted"
    """In the ledger, not yet in any interchange."""
    BUILT = "built"
    """In an interchange recorded in the ledger, not yet confirmed uploaded."""
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    """The 999 accepted its transaction set."""
    REJECTED = "rejected"
    """TA1, 999 or 277CA rejection: the payer never adjudicated this generation."""
    ACCEPTED = "accepted"
    """The 277CA accepted it into adjudication."""
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    REVERSED = "reversed"
    VOID = "void"


class InterchangeState(StrEnum):
    RECORDED = "recorded"
    """Bytes and claims are in the ledger; the upload has not started."""
    UPLOADING = "uploading"
    """A worker took it for upload; it may or may not have reached the clearinghouse."""
    UPLOADED = "uploaded"
    ACKNOWLEDGED = "acknowledged"
    REJECTED = "rejected"
    HELD = "held"
    """The guide engine found SNIP 1-2 errors before upload: never sent (issue 18)."""


class FileStatus(StrEnum):
    TAKEN = "taken"
    """A run is reading it (or crashed while reading it: see ``Ledger.take_file``)."""
    DONE = "done"
    FAILED = "failed"
    """Reading failed as a whole; the next run takes it again."""


EVENT_TARGETS: dict[EventKind, ClaimState | None] = {
    EventKind.BUILT: ClaimState.BUILT,
    EventKind.SUBMITTED: ClaimState.SUBMITTED,
    EventKind.ACK_ACCEPTED: ClaimState.ACKNOWLEDGED,
    EventKind.ACK_REJECTED: ClaimState.REJECTED,
    EventKind.STATUS_ACCEPTED: ClaimState.ACCEPTED,
    EventKind.STATUS_REJECTED: ClaimState.REJECTED,
    EventKind.STATUS_PENDING: None,
    EventKind.PAID: ClaimState.PAID,
    EventKind.PARTIALLY_PAID: ClaimState.PARTIALLY_PAID,
    EventKind.DENIED: ClaimState.DENIED,
    EventKind.REVERSED: ClaimState.REVERSED,
    EventKind.VOIDED: ClaimState.VOID,
    EventKind.PROVIDER_ADJUSTMENT: None,  # money only: the claim's net, not its state
    EventKind.INTEREST: None,
    EventKind.STATUS_INQUIRED: None,
    EventKind.STATUS_ANSWERED: None,
}
"""The state an event asks for; ``None`` records the event without asking for a move."""

_ADJUDICATED = frozenset({ClaimState.PAID, ClaimState.PARTIALLY_PAID, ClaimState.DENIED})
_RESPONSES = frozenset(
    {ClaimState.ACKNOWLEDGED, ClaimState.REJECTED, ClaimState.ACCEPTED, ClaimState.VOID}
    | _ADJUDICATED
)

CLAIM_TRANSITIONS: dict[ClaimState, frozenset[ClaimState]] = {
    ClaimState.ADMITTED: frozenset({ClaimState.BUILT}),
    # A response to a claim whose upload was never confirmed proves the upload happened.
    ClaimState.BUILT: frozenset({ClaimState.SUBMITTED} | _RESPONSES),
    # Any response may be the first to arrive: a lost 999 must not strand a paid claim.
    ClaimState.SUBMITTED: _RESPONSES,
    ClaimState.ACKNOWLEDGED: frozenset(
        {ClaimState.REJECTED, ClaimState.ACCEPTED, ClaimState.VOID} | _ADJUDICATED
    ),
    # A payer may still reject at its front end after the clearinghouse accepted.
    ClaimState.ACCEPTED: frozenset({ClaimState.REJECTED, ClaimState.VOID} | _ADJUDICATED),
    ClaimState.PAID: frozenset({ClaimState.REVERSED, ClaimState.VOID}),
    ClaimState.PARTIALLY_PAID: frozenset({ClaimState.PAID, ClaimState.REVERSED, ClaimState.VOID}),
    # A denial overturned on appeal is paid; a reversal is followed by the re-adjudication.
    ClaimState.DENIED: frozenset(
        {ClaimState.PAID, ClaimState.PARTIALLY_PAID, ClaimState.REVERSED, ClaimState.VOID}
    ),
    ClaimState.REVERSED: frozenset({ClaimState.VOID} | _ADJUDICATED),
    # A rejected generation is final: the fix goes out as a new generation.
    ClaimState.REJECTED: frozenset(),
    ClaimState.VOID: frozenset(),
}

SENT_STATES = frozenset(ClaimState) - {ClaimState.ADMITTED}
"""States of a generation that is in an interchange (a new frequency-1 copy is a duplicate)."""

RESUBMITTABLE_STATES = frozenset({ClaimState.REJECTED})
"""States after which the same claim may go out again as frequency 1 in a new generation."""

_ANSWERED = frozenset({InterchangeState.ACKNOWLEDGED, InterchangeState.REJECTED})

INTERCHANGE_TRANSITIONS: dict[InterchangeState, frozenset[InterchangeState]] = {
    # An acknowledgement of an interchange whose upload was never confirmed proves the upload.
    InterchangeState.RECORDED: frozenset(
        {InterchangeState.UPLOADING, InterchangeState.UPLOADED, InterchangeState.HELD} | _ANSWERED
    ),
    InterchangeState.UPLOADING: frozenset(
        {InterchangeState.UPLOADED, InterchangeState.HELD} | _ANSWERED
    ),
    InterchangeState.UPLOADED: _ANSWERED,
    # A TA1 may reject what a 999 already acknowledged, never the other way round.
    InterchangeState.ACKNOWLEDGED: frozenset({InterchangeState.REJECTED}),
    InterchangeState.REJECTED: frozenset(),
    InterchangeState.HELD: frozenset(),
}

PENDING_UPLOAD = frozenset({InterchangeState.RECORDED, InterchangeState.UPLOADING})


def next_state(current: ClaimState, kind: EventKind) -> ClaimState | None:
    """The state ``kind`` moves a claim in ``current`` to, or ``None`` when it stays put."""
    target = EVENT_TARGETS[kind]
    if target is None or target not in CLAIM_TRANSITIONS[current]:
        return None
    return target


def can_move(current: InterchangeState, target: InterchangeState) -> bool:
    """Whether an interchange may go from ``current`` to ``target`` (never backward)."""
    return target in INTERCHANGE_TRANSITIONS[current]
