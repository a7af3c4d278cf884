"""Admission of encounters as claims, exceptions, and reading claims back."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import Session, aliased

from flows.ledger.admission import CurrentGeneration, Verdict, decide
from flows.ledger.models import Claim, ClaimExceptionRow, Interchange
from flows.ledger.records import (
    DUPLICATE_RULE_ID,
    Admission,
    AdmittedClaim,
    ClaimException,
    ClaimRecord,
    ClaimView,
    Duplicate,
    from_cents,
    to_cents,
)
from flows.ledger.states import ClaimState
from flows.ledger.store import Store, chunks, insert_new_rows, insert_rows, one_of, utcnow


class ClaimLedger(Store):
    """Part of :class:`~flows.ledger.Ledger`: claims in, exceptions kept, claims read."""

    def admit_claims(
        self, claims: Sequence[ClaimRecord], *, now: datetime | None = None
    ) -> Admission:
        """Decide for each encounter whether it becomes a claim (see :mod:`.admission`).

        New claims are inserted in state ``admitted``; claims admitted earlier but never
        built come back in ``admitted`` too, with their amounts refreshed.  Duplicates are
        also stored as exceptions (rule ``LEDGER-DUPLICATE``).  The same encounter twice
        in one call: the first wins, the others are duplicates.
        """
        now = now or utcnow()
        return self._transact(lambda session: self._admit(session, claims, now))

    def _admit(self, session: Session, claims: Sequence[ClaimRecord], now: datetime) -> Admission:
        first: dict[str, ClaimRecord] = {}
        refused: list[tuple[ClaimRecord, str]] = []
        for record in claims:
            if record.clm01 in first:
                earlier = first[record.clm01].source_file
                refused.append(
                    (record, f"appears more than once in this batch (first in {earlier})")
                )
            else:
                first[record.clm01] = record
        current, top = self._latest_generations(session, first)
        admitted: list[AdmittedClaim] = []
        handled: list[str] = []
        new_rows: list[dict[str, Any]] = []
        pending_rows: list[dict[str, Any]] = []
        for clm01, record in first.items():
            claim_id, generation = current.get((clm01, record.payer_sequence), (None, None))
            decision = decide(record, generation, top.get(clm01, 0))
            if decision.verdict is Verdict.DUPLICATE:
                refused.append((record, decision.message))
                continue
            if decision.verdict is Verdict.HANDLED:
                handled.append(clm01)
                continue
            values = {
                "frequency_code": record.frequency_code,
                "later_payers": record.later_payers,
                "payer_id": record.payer_id,
                "charge_cents": to_cents(record.charge),
                "business_date": record.business_date,
                "source_file": record.source_file,
                "updated_at": now,
            }
            if decision.verdict is Verdict.NEW:
                new_rows.append(
                    {
                        "clm01": clm01,
                        "generation": decision.generation,
                        "paid_cents": 0,
                        "state": ClaimState.ADMITTED.value,
                        "admitted_at": now,
                        "payer_sequence": record.payer_sequence,
                        **values,
                    }
                )
            else:  # PENDING: admitted earlier, never built; its amounts refreshed
                pending_rows.append({"claim_id": claim_id, **values})
            admitted.append(AdmittedClaim(clm01, decision.generation, record.frequency_code))
        # Core, not the ORM: no objects to track and no RETURNING of 5,000 new IDs
        # (bench/bench_ledger.py).  A CLM01 and generation another run inserted first is
        # still an IntegrityError, and admit_claims decides again (Store._transact).
        insert_rows(session, Claim.__table__, new_rows)
        if pending_rows:
            table = Claim.__table__
            session.execute(update(table).where(table.c.id == bindparam("claim_id")), pending_rows)
        self._insert_exceptions(
            session,
            [
                ClaimException(
                    subject=record.clm01,
                    source_file=record.source_file,
                    rule_id=DUPLICATE_RULE_ID,
                    business_date=record.business_date,
                    reasons=[{"message": message}],
                )
                for record, message in refused
            ],
            now,
        )
        return Admission(
            admitted=tuple(admitted),
            handled=tuple(handled),
            duplicates=tuple(Duplicate(r.clm01, r.source_file, m) for r, m in refused),
        )

    @staticmethod
    def _latest_generations(
        session: Session, clm01s: Collection[str]
    ) -> tuple[dict[tuple[str, str], tuple[int, CurrentGeneration]], dict[str, int]]:
        """The latest generation (its row ID and what admission decides on) per CLM01 and
        payer sequence, and the highest generation per CLM01."""
        latest: dict[tuple[str, str], tuple[int, CurrentGeneration]] = {}
        top: dict[str, int] = {}
        for chunk in chunks(sorted(clm01s)):
            rows = session.execute(
                select(
                    Claim.id,
                    Claim.clm01,
                    Claim.generation,
                    Claim.state,
                    Claim.source_file,
                    Claim.submitted_at,
                    Claim.payer_sequence,
                    Interchange.isa13,
                    Interchange.recorded_at,
                )
                .outerjoin(Interchange, Claim.interchange_id == Interchange.id)
                .where(one_of(session, Claim.clm01, chunk))
                .order_by(Claim.clm01, Claim.generation)
            )
            for claim_id, clm01, generation, state, source, submitted, sequence, isa13, at in rows:
                top[clm01] = generation
                latest[(clm01, sequence)] = (
                    claim_id,
                    CurrentGeneration(
                        generation=generation,
                        state=ClaimState(state),
                        source_file=source,
                        isa13=isa13,
                        recorded_at=at,
                        submitted_at=submitted,
                        payer_sequence=sequence,
                    ),
                )
        return latest, top

    # -- exceptions -------------------------------------------------------------------
    def record_exceptions(
        self, exceptions: Sequence[ClaimException], *, now: datetime | None = None
    ) -> int:
        """Keep exceptions; one per (subject, source file, rule), so reruns add nothing.

        Returns how many were new.
        """
        now = now or utcnow()
        return self._transact(lambda session: self._insert_exceptions(session, exceptions, now))

    def _insert_exceptions(
        self, session: Session, exceptions: Sequence[ClaimException], now: datetime
    ) -> int:
        rows = [
            {
                "subject": e.subject,
                "source_file": e.source_file,
                "rule_id": e.rule_id,
                "reasons": [dict(r) for r in e.reasons],
                "business_date": e.business_date,
                "recorded_at": now,
            }
            for e in exceptions
        ]
        unique = ("subject", "source_file", "rule_id")
        return insert_new_rows(session, ClaimExceptionRow.__table__, rows, unique)

    def find_exceptions(
        self, *, business_date: date | None = None, source_file: str | None = None
    ) -> list[ClaimException]:
        query = select(ClaimExceptionRow).order_by(ClaimExceptionRow.id)
        if business_date is not None:
            query = query.where(ClaimExceptionRow.business_date == business_date)
        if source_file is not None:
            query = query.where(ClaimExceptionRow.source_file == source_file)
        with self._read() as session:
            return [
                ClaimException(
                    subject=r.subject,
                    source_file=r.source_file,
                    rule_id=r.rule_id,
                    business_date=r.business_date,
                    reasons=tuple(r.reasons),
                )
                for r in session.scalars(query)
            ]

    def find_claims(
        self,
        clm01s: Collection[str] | None = None,
        *,
        states: Collection[ClaimState] | None = None,
        submitted_before: datetime | None = None,
        all_generations: bool = False,
    ) -> list[ClaimView]:
        """Claims by CLM01 and/or state; the latest generation of each unless asked for all.

        ``submitted_before`` finds claims waiting too long for an answer, e.g. with
        ``states={SUBMITTED, ACKNOWLEDGED, ACCEPTED}`` for the no-response worklist.
        """
        query = _claim_query(states, submitted_before, all_generations)
        with self._read() as session:
            if clm01s is None:
                return [_claim_view(c, isa13) for c, isa13 in session.execute(query)]
            views: list[ClaimView] = []
            for chunk in chunks(sorted({c.upper() for c in clm01s})):
                rows = session.execute(query.where(Claim.clm01.in_(chunk)))
                views.extend(_claim_view(c, isa13) for c, isa13 in rows)
            return views


def _claim_query(
    states: Collection[ClaimState] | None,
    submitted_before: datetime | None,
    all_generations: bool,
) -> Select[tuple[Claim, int | None]]:
    query = (
        select(Claim, Interchange.isa13)
        .outerjoin(Interchange, Claim.interchange_id == Interchange.id)
        .order_by(Claim.clm01, Claim.generation)
    )
    if not all_generations:
        other = aliased(Claim)
        latest = select(func.max(other.generation)).where(other.clm01 == Claim.clm01)
        query = query.where(Claim.generation == latest.scalar_subquery())
    if states is not None:
        query = query.where(Claim.state.in_([str(s) for s in states]))
    if submitted_before is not None:
        query = query.where(Claim.submitted_at < submitted_before)
    return query


def _claim_view(claim: Claim, isa13: int | None) -> ClaimView:
    return ClaimView(
        clm01=claim.clm01,
        generation=claim.generation,
        frequency_code=claim.frequency_code,  # type: ignore[arg-type]
        payer_id=claim.payer_id,
        charge=from_cents(claim.charge_cents),
        paid=from_cents(claim.paid_cents),
        state=ClaimState(claim.state),
        payer_claim_number=claim.payer_claim_number,
        business_date=claim.business_date,
        source_file=claim.source_file,
        isa13=isa13,
        st02=claim.st02,
        admitted_at=claim.admitted_at,
        submitted_at=claim.submitted_at,
        updated_at=claim.updated_at,
    )
