"""The ledger: what the pipeline took in, sent, and heard back, kept exactly once.

Open it with :meth:`Ledger.open`.  The records, states and errors the flows exchange with
it are plain Python: importing them (or this package) does not import SQLAlchemy, which
loads only when :class:`Ledger` is first used.
"""

from typing import TYPE_CHECKING

from edi.events import ClaimEvent, EventKind, ResponseKind
from flows.ledger.errors import (
    ClaimsAlreadyRecorded,
    LedgerError,
    UnknownClaims,
    UnknownInterchange,
)
from flows.ledger.records import (
    DUPLICATE_RULE_ID,
    Admission,
    AdmittedClaim,
    ClaimException,
    ClaimRecord,
    ClaimView,
    Duplicate,
    EventOutcome,
    IngestedFileView,
    InterchangeClaim,
    InterchangeRecord,
    InterchangeView,
    PendingInterchange,
    ResponseFileView,
    TimelineEntry,
)
from flows.ledger.states import ClaimState, FileStatus, InterchangeState

if TYPE_CHECKING:
    from flows.ledger.ledger import Ledger


def __getattr__(name: str) -> object:
    if name == "Ledger":
        from flows.ledger.ledger import Ledger

        return Ledger
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DUPLICATE_RULE_ID",
    "Admission",
    "AdmittedClaim",
    "ClaimEvent",
    "ClaimException",
    "ClaimRecord",
    "ClaimState",
    "ClaimView",
    "ClaimsAlreadyRecorded",
    "Duplicate",
    "EventKind",
    "EventOutcome",
    "FileStatus",
    "IngestedFileView",
    "InterchangeClaim",
    "InterchangeRecord",
    "InterchangeState",
    "InterchangeView",
    "Ledger",
    "LedgerError",
    "PendingInterchange",
    "ResponseFileView",
    "ResponseKind",
    "TimelineEntry",
    "UnknownClaims",
    "UnknownInterchange",
]
