"""The words of a claim's life as the responses tell it: event kinds and claim events.

Plain records with no dependencies, so the ledger and the flows can import them without
the readers; what a parsed response file means is computed by
:mod:`edi.responses.events`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    BUILT = "built"
    SUBMITTED = "submitted"
    ACK_ACCEPTED = "ack_accepted"
    ACK_REJECTED = "ack_rejected"
    STATUS_ACCEPTED = "status_accepted"
    STATUS_REJECTED = "status_rejected"
    STATUS_PENDING = "status_pending"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    REVERSED = "reversed"
    VOIDED = "voided"
    PROVIDER_ADJUSTMENT = "provider_adjustment"
    """An 835 PLB naming the claim (WO/72/FB recoupment...): money taken or given back."""
    INTEREST = "interest"
    """An 835 PLB L6 naming the claim: the payer's late-payment interest."""
    STATUS_INQUIRED = "status_inquired"
    """We sent a 276 asking the payer about the claim."""
    STATUS_ANSWERED = "status_answered"
    """A 277 (X212) answered a 276: the payer's word on the claim, not a new adjudication."""


@dataclass(frozen=True, slots=True)
class ClaimEvent:
    """One thing that happened to a claim, from a response file or from the pipeline.

    ``(clm01, generation, kind, source_file, ref)`` identifies the event: applying the same
    file twice adds nothing.  ``ref`` tells apart two events of one kind in one file.
    IDs, codes and money only: no names, birth dates or member IDs.
    """

    clm01: str
    kind: EventKind
    at: datetime
    source_file: str
    generation: int | None = None
    """``None``: the generation whose payer claim number matches, else the latest sent."""
    ref: str = ""
    amount: Decimal | None = None
    """Money paid by this event (negative for a reversal); added to the claim's paid total."""
    payer_claim_number: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


class ResponseKind(StrEnum):
    TA1 = "TA1"
    ACK_999 = "999"
    STATUS_277CA = "277CA"
    STATUS_277 = "277"
    REMITTANCE_835 = "835"
    ELIGIBILITY_271 = "271"
    """A 271 eligibility answer (issue 16): read by :mod:`flows.eligibility`, no claim events."""
