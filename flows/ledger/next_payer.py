"""Next-payer claims (COB): one decision per CLM01 and payer sequence, kept or updated.

What an 835 decided for the next payer (:mod:`edi.claims.cob`) lands here; the unique
constraint on (CLM01, payer sequence) means a rerun or a duplicate 835 can only update the
one row, never add a second claim.  Whether the next payer's claim went out is read from
the claims themselves: a generation billed to that sequence exists.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.ledger.models import Claim, NextPayerClaim
from flows.ledger.records import from_cents, to_cents
from flows.ledger.store import Store, chunks, utcnow


@dataclass(frozen=True, slots=True)
class NextPayerRow:
    """One next-payer decision as the ledger holds it (IDs and money; ``encounter`` is PHI
    and stays out of logs)."""

    clm01: str
    payer_sequence: str
    payer_id: str
    state: str
    reason: str
    prior_paid: Decimal
    prior_claim_number: str
    frequency_code: str
    source_file: str
    decided_on: date
    written_key: str | None
    updated_at: datetime
    encounter: Any = None


@dataclass(frozen=True, slots=True)
class BilledGeneration:
    """The latest generation of a CLM01 billed to one payer sequence."""

    payer_sequence: str
    source_file: str
    payer_claim_number: str | None
    state: str
    later_payers: int = 0


@dataclass(frozen=True, slots=True)
class NextPayerWrite:
    """A decision to keep: insert, or replace the row of the same CLM01 and sequence."""

    clm01: str
    payer_sequence: str
    payer_id: str
    state: str
    reason: str
    prior_paid: Decimal
    prior_claim_number: str
    source_file: str
    decided_on: date
    encounter: Any = None
    frequency_code: str = "1"
    rewrite: bool = True
    """Whether the claim must be written again for the next night (its content changed)."""


class NextPayerLedger(Store):
    """Part of :class:`~flows.ledger.Ledger`: the next payer of each claim."""

    def billed_generations(self, clm01s: Collection[str]) -> dict[str, list[BilledGeneration]]:
        """Per CLM01, the latest generation of each payer sequence, P before S before T."""
        out: dict[str, dict[str, BilledGeneration]] = {}
        with self._read() as session:
            for chunk in chunks(sorted({c.upper() for c in clm01s})):
                query = (
                    select(Claim)
                    .where(Claim.clm01.in_(chunk))
                    .order_by(Claim.clm01, Claim.generation)
                )
                for c in session.scalars(query):
                    out.setdefault(c.clm01, {})[c.payer_sequence] = BilledGeneration(
                        c.payer_sequence, c.source_file, c.payer_claim_number, c.state,
                        c.later_payers,
                    )  # fmt: skip
        return {k: [v[s] for s in sorted(v, key="PST".index)] for k, v in out.items()}

    def next_payer_rows(
        self,
        keys: Collection[tuple[str, str]] | None = None,
        *,
        states: Collection[str] | None = None,
        with_encounter: bool = False,
    ) -> dict[tuple[str, str], NextPayerRow]:
        """Rows by (CLM01, sequence), or all rows (in ``states``) when ``keys`` is None."""
        query = select(NextPayerClaim).order_by(NextPayerClaim.id)
        if states is not None:
            query = query.where(NextPayerClaim.state.in_(list(states)))
        with self._read() as session:
            if keys is None:
                rows = list(session.scalars(query))
            else:
                wanted = set(keys)
                rows = []
                for chunk in chunks(sorted({clm01 for clm01, _ in wanted})):
                    found = session.scalars(query.where(NextPayerClaim.clm01.in_(chunk)))
                    rows.extend(r for r in found if (r.clm01, r.payer_sequence) in wanted)
            return {(r.clm01, r.payer_sequence): _view(r, with_encounter) for r in rows}

    def record_next_payers(
        self, writes: Sequence[NextPayerWrite], *, now: datetime | None = None
    ) -> int:
        """Insert or update each decision (one transaction); returns how many rows changed."""
        now = now or utcnow()
        return self._transact(lambda session: _record(session, writes, now))

    def mark_next_payer_written(
        self, keys: Collection[tuple[str, str]], written_key: str, *, now: datetime | None = None
    ) -> None:
        """The claims of ``keys`` are in the encounter file ``written_key`` for the night."""
        now = now or utcnow()
        with self._write() as session:
            for clm01, sequence in keys:
                row = _row(session, clm01, sequence)
                if row is not None:
                    row.written_key = written_key
                    row.updated_at = now


def _row(session: Session, clm01: str, sequence: str) -> NextPayerClaim | None:
    return session.scalars(
        select(NextPayerClaim)
        .where(NextPayerClaim.clm01 == clm01, NextPayerClaim.payer_sequence == sequence)
        .with_for_update()
    ).one_or_none()


def _record(session: Session, writes: Sequence[NextPayerWrite], now: datetime) -> int:
    changed = 0
    for write in writes:
        row = _row(session, write.clm01, write.payer_sequence)
        if row is None:
            row = NextPayerClaim(clm01=write.clm01, payer_sequence=write.payer_sequence)
            session.add(row)
        row.payer_id = write.payer_id
        row.state = write.state
        row.reason = write.reason[:200]
        row.prior_paid_cents = to_cents(write.prior_paid)
        row.prior_claim_number = write.prior_claim_number[:50]
        row.frequency_code = write.frequency_code
        row.source_file = write.source_file
        row.decided_on = write.decided_on
        if write.encounter is not None:
            row.encounter = write.encounter
        if write.rewrite:
            row.written_key = None
        row.updated_at = now
        changed += 1
    session.flush()
    return changed


def _view(row: NextPayerClaim, with_encounter: bool) -> NextPayerRow:
    return NextPayerRow(
        clm01=row.clm01,
        payer_sequence=row.payer_sequence,
        payer_id=row.payer_id,
        state=row.state,
        reason=row.reason,
        prior_paid=from_cents(row.prior_paid_cents),
        prior_claim_number=row.prior_claim_number,
        frequency_code=row.frequency_code,
        source_file=row.source_file,
        decided_on=row.decided_on,
        written_key=row.written_key,
        updated_at=row.updated_at,
        encounter=row.encounter if with_encounter else None,
    )
