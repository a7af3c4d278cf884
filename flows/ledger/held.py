"""Records of the pre-bill hold and the coding queries, as the flows exchange them.

Plain frozen records, importable without SQLAlchemy.  :class:`ClaimCheck` and
:class:`CodingQuery` carry rule IDs, codes, code descriptions and dates only; a held
claim's ``encounter`` is the input itself (PHI) and never leaves the ledger except to be
built or listed on the biller's own coding-review worklist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class HoldState(StrEnum):
    HELD = "held"
    """Waiting for the provider's answers; never built."""
    RELEASED = "released"
    """Every query answered: the next night builds it (the answered encounter)."""
    SENT = "sent"
    """Admitted and recorded in an interchange by the night in ``sent_on``."""
    REFUSED = "refused"
    """The answered encounter failed a rule that rejects: an exception, not sent."""
    DUPLICATE = "duplicate"
    """Its claim had already gone out from another file: the admission refused it."""
    NOT_BILLED = "not billed"
    """The answers removed every line (not a separate service): closed, never built."""


class QueryStatus(StrEnum):
    PENDING = "pending"
    ANSWERED = "answered"
    OTHER = "other"
    """Answered "other": the note goes to the coder, the claim stays held."""


UNDETERMINED = "clinically undetermined"
OTHER = "other"


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """The scrub's verdict on one encounter of one file, kept with the claim."""

    clm01: str
    source_file: str
    business_date: date
    disposition: str
    """``sent`` (built with these warnings) or ``held``."""
    warnings: list[dict[str, Any]]
    """``rule_id``, ``level``, ``message``, ``fix``, ``field`` of each warning."""
    releases: list[str]
    """Names of the reference releases the checks used (ICD-10-CM, NCCI, MUE, HCPCS)."""


@dataclass(frozen=True, slots=True)
class CodingQuery:
    query_id: str
    clm01: str
    rule_id: str
    field: str | None
    payload: dict[str, Any]
    """``question``, ``facts`` (codes, descriptions, service, date), ``choices``."""
    asked_on: date
    status: QueryStatus = QueryStatus.PENDING
    answer: str | None = None
    answer_note: str | None = None
    answered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HoldRecord:
    """An encounter to hold, with its queries; ``(clm01, source_file)`` is its key."""

    clm01: str
    source_file: str
    business_date: date
    payer_id: str
    rule_ids: list[str]
    encounter: dict[str, Any]
    queries: list[CodingQuery] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class HeldClaim:
    id: int
    clm01: str
    source_file: str
    business_date: date
    payer_id: str
    state: HoldState
    rule_ids: list[str]
    encounter: dict[str, Any]
    answered: dict[str, Any] | None
    held_at: datetime
    released_at: datetime | None
    sent_on: date | None


@dataclass(frozen=True, slots=True)
class HoldOutcome:
    """What :meth:`HoldLedger.hold_claims` did: CLM01s only."""

    held: tuple[str, ...] = ()
    already: tuple[str, ...] = ()
    """Held earlier from the same file (a rerun): nothing new."""
    open_elsewhere: tuple[str, ...] = ()
    """An open hold from another file already waits for the same claim."""


@dataclass(frozen=True, slots=True)
class Answer:
    query_id: str
    answer: str
    """A code from the choices, :data:`UNDETERMINED` or :data:`OTHER`."""
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    recorded: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    """Queries of claims already released or sent: the answer is not taken."""
