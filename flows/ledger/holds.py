"""Warnings kept per claim, the pre-bill hold and its coding queries.

A hold's exactly-once key is ``(clm01, source_file)``, the same pair a claim's admission
uses: a rerun of the file that held it finds it held; a released hold is admitted under
its original file, so a rerun of the night that built it finds the claim handled (see
:mod:`flows.ledger.admission`).  Each method is one short transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.ledger.held import (
    Answer,
    AnswerOutcome,
    ClaimCheck,
    CodingQuery,
    HeldClaim,
    HoldOutcome,
    HoldRecord,
    HoldState,
    QueryStatus,
)
from flows.ledger.models import ClaimCheckRow, CodingQueryRow, HeldClaimRow
from flows.ledger.store import Store, chunks, insert_new_rows, utcnow

OPEN_STATES = (HoldState.HELD, HoldState.RELEASED)


class HoldLedger(Store):
    """Part of :class:`~flows.ledger.Ledger`: warnings, holds and queries."""

    # -- warnings and releases per claim ----------------------------------------------

    def record_checks(self, checks: Sequence[ClaimCheck], *, now: datetime | None = None) -> None:
        """Keep each encounter's warnings and releases; a rerun's second copy is ignored."""
        if not checks:
            return
        now = now or utcnow()
        rows = [
            {
                "clm01": c.clm01,
                "source_file": c.source_file,
                "business_date": c.business_date,
                "disposition": c.disposition,
                "warnings": c.warnings,
                "releases": c.releases,
                "checked_at": now,
            }
            for c in checks
        ]
        with self._write() as session:
            unique = ("clm01", "source_file", "disposition")
            insert_new_rows(session, ClaimCheckRow.__table__, rows, unique)

    def find_checks(
        self, *, business_date: date | None = None, clm01s: Collection[str] | None = None
    ) -> list[ClaimCheck]:
        query = select(ClaimCheckRow).order_by(ClaimCheckRow.id)
        if business_date is not None:
            query = query.where(ClaimCheckRow.business_date == business_date)
        if clm01s is not None:
            query = query.where(ClaimCheckRow.clm01.in_(sorted(clm01s)))
        with self._read() as session:
            return [
                ClaimCheck(
                    r.clm01, r.source_file, r.business_date, r.disposition, r.warnings, r.releases
                )
                for r in session.scalars(query)
            ]

    # -- holds -------------------------------------------------------------------------

    def hold_claims(
        self, holds: Sequence[HoldRecord], *, now: datetime | None = None
    ) -> HoldOutcome:
        """Hold each encounter once, with its queries (see the module docstring)."""
        if not holds:
            return HoldOutcome()
        now = now or utcnow()
        return self._transact(lambda session: self._hold(session, holds, now))

    def _hold(self, session: Session, holds: Sequence[HoldRecord], now: datetime) -> HoldOutcome:
        clm01s = sorted({h.clm01 for h in holds})
        existing: dict[str, list[HeldClaimRow]] = {}
        for batch in chunks(clm01s):
            rows = session.scalars(
                select(HeldClaimRow).where(HeldClaimRow.clm01.in_(batch)).with_for_update()
            )
            for row in rows:
                existing.setdefault(row.clm01, []).append(row)
        held, already, elsewhere = [], [], []
        for hold in holds:
            rows = existing.setdefault(hold.clm01, [])
            if any(r.source_file == hold.source_file for r in rows):
                already.append(hold.clm01)
            elif any(r.state in OPEN_STATES for r in rows):
                elsewhere.append(hold.clm01)
            else:
                rows.append(self._insert_hold(session, hold, now))
                held.append(hold.clm01)
        return HoldOutcome(tuple(held), tuple(already), tuple(elsewhere))

    @staticmethod
    def _insert_hold(session: Session, hold: HoldRecord, now: datetime) -> HeldClaimRow:
        row = HeldClaimRow(
            clm01=hold.clm01,
            source_file=hold.source_file,
            business_date=hold.business_date,
            payer_id=hold.payer_id,
            state=HoldState.HELD,
            rule_ids=hold.rule_ids,
            encounter=hold.encounter,
            held_at=now,
        )
        session.add(row)
        session.flush()
        for q in hold.queries:
            session.add(_query_row(row.id, q))
        return row

    def find_holds(self, states: Collection[HoldState] | None = None) -> list[HeldClaim]:
        query = select(HeldClaimRow).order_by(HeldClaimRow.id)
        if states is not None:
            query = query.where(HeldClaimRow.state.in_([str(s) for s in states]))
        with self._read() as session:
            return [_held(r) for r in session.scalars(query)]

    def release_hold(
        self, hold_id: int, answered: dict, *, now: datetime | None = None,
        state: HoldState = HoldState.RELEASED,
    ) -> bool:  # fmt: skip
        """Release a held claim with the encounter its answers made (``state``
        ``not billed`` when they left nothing to bill: closed, never built); False if
        not held."""
        now = now or utcnow()
        with self._write() as session:
            row = session.get(HeldClaimRow, hold_id, with_for_update=True)
            if row is None or row.state != HoldState.HELD:
                return False
            row.state, row.answered, row.released_at = state, answered, now
            return True

    def hold_again(self, hold_id: int, queries: Sequence[CodingQuery]) -> bool:
        """A released hold back on the coding review with more ``queries`` (something
        found since its answers, e.g. the same service billed meanwhile); False if it is
        not released.  Its earlier answers stay and apply again at the next release."""
        with self._write() as session:
            row = session.get(HeldClaimRow, hold_id, with_for_update=True)
            if row is None or row.state != HoldState.RELEASED:
                return False
            row.state, row.answered, row.released_at = HoldState.HELD, None, None
            row.rule_ids = sorted({*row.rule_ids, *(q.rule_id for q in queries)})
            for q in queries:
                if session.get(CodingQueryRow, q.query_id) is None:
                    session.add(_query_row(row.id, q))
            return True

    def close_holds(self, outcomes: dict[int, HoldState], night: date) -> None:
        """Released holds the night admitted (``sent``), refused or found duplicated."""
        if not outcomes:
            return
        with self._write() as session:
            for hold_id, state in sorted(outcomes.items()):
                row = session.get(HeldClaimRow, hold_id, with_for_update=True)
                if row is not None and row.state == HoldState.RELEASED:
                    row.state, row.sent_on = state, night

    # -- queries -------------------------------------------------------------------------

    def find_queries(
        self, statuses: Collection[QueryStatus] | None = None, *, hold_id: int | None = None
    ) -> list[CodingQuery]:
        query = select(CodingQueryRow).order_by(CodingQueryRow.clm01, CodingQueryRow.query_id)
        if statuses is not None:
            query = query.where(CodingQueryRow.status.in_([str(s) for s in statuses]))
        if hold_id is not None:
            query = query.where(CodingQueryRow.held_id == hold_id)
        with self._read() as session:
            return [_query(r) for r in session.scalars(query)]

    def record_answers(
        self, answers: Sequence[Answer], *, now: datetime | None = None
    ) -> AnswerOutcome:
        """Take the provider's answers; the same answer again changes nothing, and a
        query whose claim was already released keeps the answer that released it."""
        now = now or utcnow()
        recorded, unchanged, unknown, closed = [], [], [], []
        with self._write() as session:
            for answer in answers:
                row = session.get(CodingQueryRow, answer.query_id, with_for_update=True)
                if row is None:
                    unknown.append(answer.query_id)
                    continue
                if (row.answer, row.answer_note) == (answer.answer, answer.note):
                    unchanged.append(answer.query_id)
                    continue
                hold = session.get(HeldClaimRow, row.held_id)
                if hold is None or hold.state != HoldState.HELD:
                    closed.append(answer.query_id)
                    continue
                row.answer, row.answer_note, row.answered_at = answer.answer, answer.note, now
                other = answer.answer == "other"
                row.status = QueryStatus.OTHER if other else QueryStatus.ANSWERED
                recorded.append(answer.query_id)
        return AnswerOutcome(tuple(recorded), tuple(unchanged), tuple(unknown), tuple(closed))


def _query_row(held_id: int, q: CodingQuery) -> CodingQueryRow:
    return CodingQueryRow(
        query_id=q.query_id,
        held_id=held_id,
        clm01=q.clm01,
        rule_id=q.rule_id,
        field=q.field,
        status=QueryStatus.PENDING,
        payload=q.payload,
        asked_on=q.asked_on,
    )


def _held(r: HeldClaimRow) -> HeldClaim:
    return HeldClaim(
        r.id,
        r.clm01,
        r.source_file,
        r.business_date,
        r.payer_id,
        HoldState(r.state),
        list(r.rule_ids),
        r.encounter,
        r.answered,
        r.held_at,
        r.released_at,
        r.sent_on,
    )


def _query(r: CodingQueryRow) -> CodingQuery:
    return CodingQuery(
        r.query_id,
        r.clm01,
        r.rule_id,
        r.field,
        r.payload,
        r.asked_on,
        QueryStatus(r.status),
        r.answer,
        r.answer_note,
        r.answered_at,
    )
