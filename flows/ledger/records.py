"""What goes into the ledger and what comes out, as plain frozen records.

The flows build and read these without touching SQLAlchemy.  They carry IDs, control
numbers, file names and money only: no names, birth dates, member IDs or addresses, so a
record can be logged or put in an exception message as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from edi.events import EventKind
from flows.ledger.states import ClaimState, FileStatus, InterchangeState

FrequencyCode = Literal["1", "7", "8"]


def to_cents(amount: Decimal) -> int:
    """Integer cents of a money amount; more than two decimals is a bug upstream, not rounding."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"money amount {amount} has more than two decimals")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """One clean encounter about to become a claim: what the ledger needs to admit it."""

    encounter_id: str
    payer_id: str
    charge: Decimal
    business_date: date
    source_file: str
    """The encounter file it came from; a rerun of the same file is recognised by this."""
    frequency_code: FrequencyCode = "1"
    payer_sequence: str = "P"
    """COB (issue 13): SBR01 of the payer billed; each payer's claim is its own line of
    generations under the same CLM01."""
    later_payers: int = 0
    """COB: payers the encounter lists after the one billed."""

    @property
    def clm01(self) -> str:
        return self.encounter_id.upper()


@dataclass(frozen=True, slots=True)
class AdmittedClaim:
    """A claim generation to build now (new, or admitted earlier and never built)."""

    clm01: str
    generation: int
    frequency_code: FrequencyCode


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An encounter refused because its claim already went out; also kept as an exception."""

    clm01: str
    source_file: str
    message: str


@dataclass(frozen=True, slots=True)
class Admission:
    admitted: tuple[AdmittedClaim, ...]
    """Build these, and only these."""
    handled: tuple[str, ...]
    """CLM01s this same source file already put into an interchange: a rerun, skip quietly."""
    duplicates: tuple[Duplicate, ...]


DUPLICATE_RULE_ID = "LEDGER-DUPLICATE"
"""The rule ID under which :meth:`Ledger.admit_claims` records duplicates as exceptions."""


@dataclass(frozen=True, slots=True)
class ClaimException:
    """An encounter or record that did not become a claim, and why (rule findings as JSON)."""

    subject: str
    """The encounter ID, or ``file:line`` when the record had no usable ID."""
    source_file: str
    rule_id: str
    business_date: date
    reasons: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True, slots=True)
class InterchangeClaim:
    clm01: str
    generation: int
    st02: int
    services: tuple[str, ...] = ()
    """The claim's service keys (:func:`edi.rules.duplicates.service_keys`), kept as billed."""


@dataclass(frozen=True, slots=True)
class InterchangeRecord:
    """A built 837 interchange, recorded with its exact bytes before any upload."""

    profile: str
    sender: str
    receiver: str
    isa13: int
    gs06: int
    file_name: str
    content: bytes
    business_date: date
    claims: Sequence[InterchangeClaim]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True, slots=True)
class PendingInterchange:
    """An interchange whose upload is not confirmed, taken by one worker to (re)upload."""

    id: int
    profile: str
    file_name: str
    isa13: int
    content: bytes
    sha256: str
    attempts: int
    """Uploads started so far including this one; above 1 the remote may already have it."""


@dataclass(frozen=True, slots=True)
class InterchangeView:
    id: int
    profile: str
    sender: str
    receiver: str
    isa13: int
    gs06: int
    file_name: str
    sha256: str
    state: InterchangeState
    remote_name: str | None
    uploaded_at: datetime | None
    claims: tuple[InterchangeClaim, ...]


@dataclass(frozen=True, slots=True)
class ResponseFileView:
    """A response file the ledger holds: its name as stored and where its bytes are."""

    name: str
    sha256: str
    kind: str
    s3_key: str
    parsed_at: datetime | None


@dataclass(frozen=True, slots=True)
class EventOutcome:
    recorded: int
    """Events added to the timeline."""
    moved: int
    """Of those, events that moved their claim's state."""
    repeated: int
    """Events already in the timeline (the same response applied again)."""
    unknown: tuple[str, ...]
    """CLM01s the ledger has no claim for."""


@dataclass(frozen=True, slots=True)
class ClaimView:
    clm01: str
    generation: int
    frequency_code: FrequencyCode
    payer_id: str
    charge: Decimal
    paid: Decimal
    state: ClaimState
    payer_claim_number: str | None
    business_date: date
    source_file: str
    isa13: int | None
    st02: int | None
    admitted_at: datetime
    submitted_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    clm01: str
    generation: int
    kind: EventKind
    at: datetime
    source_file: str
    ref: str
    amount: Decimal | None
    from_state: ClaimState
    to_state: ClaimState | None
    """``None`` when the event did not move the claim (late, repeated or informational)."""
    details: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class IngestedFileView:
    bucket: str
    key: str
    etag: str
    business_date: date
    status: FileStatus
    taken_by: str
    taken_at: datetime
    finished_at: datetime | None
    encounter_count: int | None
    exception_count: int | None
