"""Whether an arriving encounter becomes a claim: the exactly-once rule as a pure function.

An encounter ID is the idempotency key of the pipeline, so an encounter seen again is
either the same delivery read again (a rerun: nothing to do), a claim this file admitted
and did not build yet (build it now), a correction or a fix after a rejection (a new
generation), or a duplicate that must not reach the payer twice (an exception for a
person to look at) — including one another file of the same night admitted first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from flows.ledger.records import ClaimRecord
from flows.ledger.states import RESUBMITTABLE_STATES, ClaimState


@dataclass(frozen=True, slots=True)
class CurrentGeneration:
    """The latest generation the ledger holds for a CLM01."""

    generation: int
    state: ClaimState
    source_file: str
    isa13: int | None
    recorded_at: datetime | None
    """When its interchange was recorded."""
    submitted_at: datetime | None
    payer_sequence: str = "P"


class Verdict(Enum):
    NEW = "new"
    PENDING = "pending"
    HANDLED = "handled"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    generation: int
    message: str = ""


def decide(record: ClaimRecord, current: CurrentGeneration | None, top: int = 0) -> Decision:
    """Decide what to do with ``record`` given the latest generation of its CLM01 billed to
    the same payer (``top``: the highest generation of the CLM01 for any payer; a claim to
    the next payer is a new generation after it)."""
    if current is None:
        return Decision(Verdict.NEW, top + 1)
    if current.state is ClaimState.ADMITTED:
        if current.source_file == record.source_file:
            return Decision(Verdict.PENDING, current.generation)
        # Another file of the night has it and its run builds it (or, if that run died,
        # the run that takes the file over): building it here too would race for it.
        return Decision(
            Verdict.DUPLICATE,
            current.generation,
            f"already taken from {current.source_file}, not yet built",
        )
    if current.source_file == record.source_file:
        return Decision(Verdict.HANDLED, current.generation)
    if record.frequency_code in ("7", "8") or current.state in RESUBMITTABLE_STATES:
        return Decision(Verdict.NEW, max(top, current.generation) + 1)
    return Decision(Verdict.DUPLICATE, current.generation, duplicate_message(current))


def duplicate_message(current: CurrentGeneration) -> str:
    """The exception text ops read: when and in which interchange (ISA13) the claim went."""
    isa13 = f"{current.isa13:09d}" if current.isa13 is not None else "?"
    if current.submitted_at is not None:
        return (
            f"already submitted on {current.submitted_at.date().isoformat()} in interchange {isa13}"
        )
    recorded = current.recorded_at.date().isoformat() if current.recorded_at else "?"
    return f"already in interchange {isa13} recorded on {recorded}, upload not yet confirmed"
